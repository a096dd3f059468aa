//! The 2026 course's `mr/util.go`, on real processes: a fresh output directory per test
//! (`mkOut`), the coordinator in another directory than the workers, which alone can
//! resolve the input paths (`../../main/pg-*.txt`), `runMR`, `mkCorrectOutput`,
//! `mergeOutput` (every `mr-out-<digit>` file, sorted, blank lines kept) and
//! `countPattern`. Every process is killed and the directory removed when the test ends
//! (set `MR_KEEP_DIR=1` to keep it); a failing test prints each process's log tail.

#![allow(dead_code)] // the tests use different parts of it
#![allow(clippy::disallowed_methods)] // real processes on the real clock, not the simulator

use lab1_mapreduce::procs::{self, print_logs};
pub use lab1_mapreduce::procs::{Proc, wait_any};
use lab1_mapreduce::{app, corpus, sequential};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// No process has a time limit of its own in 2026: `go test`'s 10 minutes end a hung one.
pub const GO_TEST_TIMEOUT: Duration = Duration::from_secs(600);

/// One test's directories and socket.
pub struct Job {
    name: &'static str,
    root: PathBuf,
    /// Where the coordinator runs (the course's `src/mr`).
    mr: PathBuf,
    /// Where the workers run and write (`mr-tmp-<random>`).
    pub out: PathBuf,
    socket: PathBuf,
    next_log: AtomicUsize,
    started: Instant,
}

impl Job {
    /// `mkOut`: fresh directories, the input books in `main`.
    pub fn new(name: &'static str) -> Job {
        println!("=== RUN   {name}");
        static JOBS: AtomicUsize = AtomicUsize::new(0);
        let n = JOBS.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{n}", std::process::id());
        let root = std::env::temp_dir().join(format!("lab1-2026-{id}-{name}"));
        let _ = fs::remove_dir_all(&root);
        corpus::write(&root.join("main")).expect("cannot write the corpus");
        let mr = root.join("mr");
        let out = mr.join(format!("mr-tmp-{id}"));
        fs::create_dir_all(&out).expect("cannot make the output directory");
        Job {
            name,
            socket: std::env::temp_dir().join(format!("5840-mr-{id}")),
            root,
            mr,
            out,
            next_log: AtomicUsize::new(0),
            started: Instant::now(),
        }
    }

    /// The input files as the tests name them: right from the workers' directory only.
    pub fn files(&self) -> Vec<String> {
        corpus::BOOKS
            .iter()
            .map(|b| format!("../../main/{}", b.file))
            .collect()
    }

    /// `mkCorrectOutput(files, app, name)`: the one-process reference, run as if in the
    /// workers' directory, sorted, saved as `name`. (The course runs `mrsequential`
    /// there; this is the function it runs.)
    pub fn correct_output(&self, app: &str, name: &str) -> Vec<String> {
        let app = app::by_name(app).expect("a course app");
        let text = sequential::run_in(&self.out, &*app, &self.files()).expect("the sequential run");
        self.save(name, sorted(&text))
    }

    fn save(&self, name: &str, lines: Vec<String>) -> Vec<String> {
        let mut text = lines.join("\n");
        text.push('\n');
        fs::write(self.out.join(name), text).expect("cannot save an output");
        lines
    }

    fn spawn(&self, role: &str, command: &mut Command, dir: &Path) -> Proc {
        let label = format!("{role}-{}", self.next_log.fetch_add(1, Ordering::Relaxed));
        let log = self.root.join(format!("{label}.log"));
        procs::spawn(label, command, dir, &log, GO_TEST_TIMEOUT)
    }

    /// Starts the coordinator in its own directory.
    pub fn coordinator(&self) -> Proc {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mrcoordinator-2026"));
        command.arg(&self.socket).args(self.files());
        self.spawn("coordinator", &mut command, &self.mr)
    }

    /// Starts a worker of `app` (`wc.so`) in the output directory.
    pub fn worker(&self, app: &str) -> Proc {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mrworker-2026"));
        command.arg(format!("{app}.so")).arg(&self.socket);
        self.spawn("worker", &mut command, &self.out)
    }

    /// `runMR`: the coordinator, 1 s, then `n` workers; waits for the coordinator only,
    /// which must exit 0. Returns the workers.
    pub fn run_mr(&self, app: &str, n: usize) -> Vec<Proc> {
        let mut coordinator = self.coordinator();
        std::thread::sleep(Duration::from_secs(1));
        let workers = (0..n).map(|_| self.worker(app)).collect();
        self.wait_coordinator(&mut coordinator);
        workers
    }

    /// Waits for the coordinator, which must exit 0 (the course's `log.Fatalf("Wait")`).
    pub fn wait_coordinator(&self, coordinator: &mut Proc) {
        let status = coordinator.wait();
        assert!(status.success(), "Wait {}: {status}", coordinator.label);
    }

    /// `mergeOutput(name)`: every `mr-out-<digit>` file, lines sorted (blank ones kept).
    pub fn merge_output(&self, name: &str) -> Vec<String> {
        let mut text = String::new();
        let mut found = false;
        for entry in fs::read_dir(&self.out)
            .expect("the output directory")
            .flatten()
        {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            let digit = file.strip_prefix("mr-out-").map(str::as_bytes);
            if let Some([d]) = digit
                && d.is_ascii_digit()
            {
                found = true;
                text.push_str(&fs::read_to_string(entry.path()).expect("an output file"));
            }
        }
        assert!(found, "reduce created no mr-out-X output files!");
        self.save(name, sorted(&text))
    }

    /// `countPattern` over the `mr-out*` files: how many times `pattern` matches.
    pub fn count_pattern(&self, pattern: Pattern) -> usize {
        let mut count = 0;
        for entry in fs::read_dir(&self.out)
            .expect("the output directory")
            .flatten()
        {
            if entry.file_name().to_string_lossy().starts_with("mr-out") {
                let text = fs::read_to_string(entry.path()).expect("an output file");
                count += pattern.count(&text);
            }
        }
        count
    }

    /// `go test -v`'s pass line, with the wall time.
    pub fn pass(&self) {
        println!(
            "--- PASS: {} ({:.2}s)",
            self.name,
            self.started.elapsed().as_secs_f64()
        );
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.socket);
        if std::thread::panicking() {
            println!("--- FAIL: {}", self.name);
            print_logs(&self.root);
        }
        if std::env::var_os("MR_KEEP_DIR").is_some() {
            println!("kept {}", self.root.display());
        } else {
            let _ = fs::remove_dir_all(&self.root);
        }
    }
}

fn sorted(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// The regular expressions the tests count (Go's `regexp`, unanchored; `.` stops at a
/// line's end).
#[derive(Debug, Clone, Copy)]
pub enum Pattern {
    /// A fixed string (`times-`, `a 8`).
    Literal(&'static str),
    /// `parallel.*`: once per line that holds `parallel`.
    ParallelRest,
    /// `[a-z] 2`.
    LowerThenSpaceTwo,
}

impl Pattern {
    fn count(self, text: &str) -> usize {
        match self {
            Pattern::Literal(s) => text.matches(s).count(),
            Pattern::ParallelRest => text.lines().filter(|l| l.contains("parallel")).count(),
            Pattern::LowerThenSpaceTwo => {
                let b = text.as_bytes();
                let mut count = 0;
                let mut i = 0;
                while i + 3 <= b.len() {
                    if b[i].is_ascii_lowercase() && &b[i + 1..i + 3] == b" 2" {
                        count += 1;
                        i += 3;
                    } else {
                        i += 1;
                    }
                }
                count
            }
        }
    }
}

/// Compares two merged outputs; on a difference, the course's message and the first
/// differing line.
pub fn compare(a: &[String], b: &[String], message: &str) {
    lab1_mapreduce::procs::assert_same(a, b, message);
}
