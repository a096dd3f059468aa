//! `mtiming` and `rtiming`: apps that report how many workers were inside Map (or Reduce)
//! at the same moment, so the tests can check that tasks really run in parallel.

use crate::app::{KeyValue, MrApp};
use crate::clock;
use nix::sys::signal::kill;
use nix::unistd::Pid;
use std::fs;
use std::time::Duration;

/// Counts the workers in `phase` right now, this one included: each worker in the phase
/// leaves a marker file `mr-worker-<phase>-<pid>` in the working directory for one second,
/// and a marker counts if its process is alive (a crashed worker's marker stays behind).
fn parallel_workers(phase: &str) -> usize {
    let prefix = format!("mr-worker-{phase}-");
    let marker = format!("{prefix}{}", std::process::id());
    // A marker that cannot be written or listed only lowers the count, which the tests
    // then report; the app has no error channel, as in the course.
    let _ = fs::write(&marker, "x");
    let alive = fs::read_dir(".")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            name.strip_prefix(&prefix)?.parse::<i32>().ok()
        })
        .filter(|&pid| kill(Pid::from_raw(pid), None).is_ok())
        .count();
    clock::sleep_blocking(Duration::from_secs(1));
    let _ = fs::remove_file(&marker);
    alive
}

/// The `mtiming` app: Map reports its start time and how many maps ran alongside it.
pub struct MapTiming;

impl MrApp for MapTiming {
    fn map(&self, _filename: &str, _contents: &str) -> Vec<KeyValue> {
        let started = clock::unix_seconds();
        let pid = std::process::id();
        let n = parallel_workers("map");
        vec![
            KeyValue::new(format!("times-{pid}"), format!("{started:.1}")),
            KeyValue::new(format!("parallel-{pid}"), n.to_string()),
        ]
    }

    fn reduce(&self, _key: &str, values: &[String]) -> String {
        let mut values = values.to_vec();
        values.sort();
        values.join(" ")
    }
}

/// The `rtiming` app: ten keys, and each Reduce reports how many reduces ran alongside it.
pub struct ReduceTiming;

impl MrApp for ReduceTiming {
    fn map(&self, _filename: &str, _contents: &str) -> Vec<KeyValue> {
        ('a'..='j').map(|k| KeyValue::new(k, "1")).collect()
    }

    fn reduce(&self, _key: &str, _values: &[String]) -> String {
        parallel_workers("reduce").to_string()
    }
}
