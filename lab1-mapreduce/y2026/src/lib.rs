//! Lab 1 of the 2026 course: the same MapReduce coordinator and worker as the 2024 lab
//! (`lab1-mapreduce`), with the 2026 command lines and the 2026 tests.
//!
//! In 2026 the course's `test-mr.sh` became Go tests (`mr_test.go`): each runs in a
//! fresh directory, the coordinator is given its socket's name
//! (`mrcoordinator sockname inputfiles...`, `mrworker xxx.so sockname`) and runs in
//! another directory than the workers, whose input paths it must pass on without
//! opening; four workers start together in the job-count and early-exit tests; a worker
//! that exits in the crash test is replaced at once; the output is every
//! `mr-out-<digit>` file, blank lines included.
//!
//! The binaries `mrcoordinator-2026` and `mrworker-2026` are thin: the job is
//! `lab1_mapreduce::coordinator::run` and `lab1_mapreduce::worker::run`.

/// The app a worker is given: the course's plugin file name (`wc.so`) or the app's name.
pub fn app_name(arg: &str) -> &str {
    let file = arg.rsplit('/').next().unwrap_or(arg);
    file.strip_suffix(".so").unwrap_or(file)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_plugin_path_names_its_app() {
        assert_eq!(super::app_name("../mrapps/wc.so"), "wc");
        assert_eq!(super::app_name("indexer.so"), "indexer");
        assert_eq!(super::app_name("crash"), "crash");
    }
}
