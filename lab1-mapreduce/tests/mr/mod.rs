//! The harness of the ported `test-mr.sh`: a fresh directory per test with the generated
//! corpus in it, real `mrcoordinator` and `mrworker` processes under the script's time
//! limits, and the script's output comparison.
//!
//! Tests run in parallel, so each has its own directory and socket. Every process is
//! killed and the directory removed when the test ends, passed or failed (set
//! `MR_KEEP_DIR=1` to keep the directory); a failing test prints the tail of each
//! process's log first.

#![allow(dead_code)] // each test binary uses a different part of the harness
#![allow(clippy::disallowed_methods)] // real processes on the real clock, not the simulator

use lab1_mapreduce::procs::{self, print_logs};
pub use lab1_mapreduce::procs::{Proc, assert_same, wait_any};
use lab1_mapreduce::{corpus, files};
use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The script's limit on each coordinator and worker (`timeout -k 2s 45s`).
pub const TIMEOUT: Duration = Duration::from_secs(45);
/// The crash test's limit (`timeout -k 2s 120s`).
pub const CRASH_TIMEOUT: Duration = Duration::from_secs(120);

/// One test's working directory and socket.
pub struct Job {
    pub name: &'static str,
    pub dir: PathBuf,
    pub socket: PathBuf,
    next_log: AtomicUsize,
    started: Instant,
}

impl Job {
    /// A fresh directory holding the eight input books.
    pub fn new(name: &'static str) -> Job {
        println!("*** Starting {name} test.");
        let dir = std::env::temp_dir().join(format!("lab1-mr-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        corpus::write(&dir).expect("cannot write the corpus");
        Job {
            name,
            socket: dir.join("mr.sock"),
            dir,
            next_log: AtomicUsize::new(0),
            started: Instant::now(),
        }
    }

    /// The input file names, relative to the job's directory, as the script's `pg*txt`.
    pub fn inputs(&self) -> Vec<String> {
        corpus::BOOKS.iter().map(|b| b.file.to_string()).collect()
    }

    /// The reference output: `mrsequential APP` over the inputs, sorted, then removed so
    /// it is not mistaken for the job's output.
    pub fn reference(&self, app: &str) -> Vec<String> {
        let status = Command::new(env!("CARGO_BIN_EXE_mrsequential"))
            .arg(app)
            .args(self.inputs())
            .current_dir(&self.dir)
            .status()
            .expect("cannot run mrsequential");
        assert!(status.success(), "mrsequential {app} failed: {status}");
        let path = self.dir.join("mr-out-0");
        let text = fs::read_to_string(&path).expect("mrsequential wrote no mr-out-0");
        fs::remove_file(&path).expect("cannot remove the reference's mr-out-0");
        files::sorted_lines(&text)
    }

    /// Starts the coordinator and waits until it listens (the script sleeps 1 s instead).
    pub fn coordinator(&self, timeout: Duration) -> Proc {
        let mut proc = self.spawn(
            "coordinator",
            Command::new(env!("CARGO_BIN_EXE_mrcoordinator"))
                .arg("--socket")
                .arg(&self.socket)
                .args(self.inputs()),
            timeout,
        );
        let start = Instant::now();
        while !self.socket.exists() {
            if let Some(status) = proc.try_wait() {
                panic!("the coordinator exited before listening: {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the coordinator never listened"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        proc
    }

    /// Starts a worker running `app`.
    pub fn worker(&self, app: &str, timeout: Duration) -> Proc {
        self.spawn(
            "worker",
            Command::new(env!("CARGO_BIN_EXE_mrworker"))
                .arg("--socket")
                .arg(&self.socket)
                .arg(app),
            timeout,
        )
    }

    fn spawn(&self, role: &str, command: &mut Command, timeout: Duration) -> Proc {
        let label = format!("{role}-{}", self.next_log.fetch_add(1, Ordering::Relaxed));
        let log = self.dir.join(format!("{label}.log"));
        procs::spawn(label, command, &self.dir, &log, timeout)
    }

    /// The job's output as the script reads it (`files::read_output`).
    pub fn output(&self) -> Vec<String> {
        files::read_output(&self.dir).expect("cannot read the job's output")
    }

    /// Prints the script's pass line, then the test's wall time and the coordinator's
    /// closing summary (tasks, re-issues) for comparing runs; call at the end of a test.
    pub fn pass(&self) {
        println!("--- {} test: PASS", self.name);
        let log = fs::read_to_string(self.dir.join("coordinator-0.log")).unwrap_or_default();
        let summary = log
            .lines()
            .find_map(|l| l.strip_prefix("mrcoordinator: "))
            .unwrap_or("no summary");
        println!(
            "  ... {:.1} s wall; coordinator: {summary}",
            self.started.elapsed().as_secs_f64()
        );
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if std::thread::panicking() {
            println!("--- {} test: FAIL", self.name);
            print_logs(&self.dir);
        }
        if std::env::var_os("MR_KEEP_DIR").is_some() {
            println!("kept {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
