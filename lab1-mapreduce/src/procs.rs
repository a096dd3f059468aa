//! Running the lab's processes for tests: a child process with a time limit that is
//! killed when dropped ([`Proc`]), waiting for the first of several to exit
//! ([`wait_any`]), the tail of each process's log when a test fails ([`print_logs`]), and
//! an output comparison that names the first difference ([`assert_same`]). Both editions'
//! tests (`test-mr.sh` in 2024, `mr_test.go` in 2026) run on it.

#![allow(clippy::disallowed_methods)] // real processes on the real clock, not the simulator

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Starts `command` in `dir` with its output in `log`, as process `label` with time limit
/// `timeout`.
///
/// # Panics
/// When the log file cannot be made or the process cannot start.
pub fn spawn(
    label: String,
    command: &mut Command,
    dir: &Path,
    log: &Path,
    timeout: Duration,
) -> Proc {
    let file = fs::File::create(log).expect("cannot create a log file");
    let child = command
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file.try_clone().expect("cannot share the log file"))
        .stderr(file)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {label}: {e}"));
    Proc {
        child,
        label,
        deadline: Instant::now() + timeout,
        timeout,
        status: None,
    }
}

/// Prints the tail of every `*.log` file in `dir` (a failing test's processes).
pub fn print_logs(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut logs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    logs.sort();
    for log in logs {
        let text = fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            continue;
        }
        println!("==> {}", log.display());
        // A panic's message first (a backtrace after it would push it out of the tail),
        // then the last lines that are not backtrace frames.
        for (i, line) in lines.iter().enumerate() {
            if line.contains(" panicked at ") {
                println!("    {line}");
                if let Some(message) = lines.get(i + 1) {
                    println!("    {message}");
                }
            }
        }
        let is_frame = |l: &&&str| {
            let t = l.trim_start();
            t.starts_with("at ")
                || t.split(':')
                    .next()
                    .is_some_and(|n| n.parse::<u32>().is_ok())
        };
        let tail: Vec<&&str> = lines.iter().filter(|l| !is_frame(l)).collect();
        println!("    (last lines)");
        for line in &tail[tail.len().saturating_sub(10)..] {
            println!("    {line}");
        }
    }
}

/// Asserts two sorted outputs are identical, naming the first difference rather than
/// printing thousands of lines.
pub fn assert_same(actual: &[String], expected: &[String], message: &str) {
    if actual == expected {
        return;
    }
    let first = actual.iter().zip(expected).position(|(a, e)| a != e);
    match first {
        Some(i) => panic!(
            "--- {message}: {} lines against {} expected; line {i} is {:?}, expected {:?}",
            actual.len(),
            expected.len(),
            actual[i],
            expected[i]
        ),
        None => panic!(
            "--- {message}: {} lines against {} expected (one is a prefix of the other)",
            actual.len(),
            expected.len()
        ),
    }
}

/// A coordinator or worker process, killed if it is still running when dropped.
pub struct Proc {
    child: Child,
    /// Names it in messages.
    pub label: String,
    deadline: Instant,
    timeout: Duration,
    status: Option<ExitStatus>,
}

impl Proc {
    /// Its exit status if it has exited. Panics (after killing it) once it has run past
    /// its time limit, as the script's `timeout` would end it.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().expect("cannot wait for a child");
        }
        if self.status.is_none() && Instant::now() > self.deadline {
            let _ = self.child.kill();
            panic!("{} ran past its {:?} time limit", self.label, self.timeout);
        }
        self.status
    }

    /// Waits for it to exit, within its time limit.
    pub fn wait(&mut self) -> ExitStatus {
        loop {
            if let Some(status) = self.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The process id, for tests that signal it.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until any one of `procs` exits (the script's `wait -n`); returns its position.
pub fn wait_any(procs: &mut [Proc]) -> usize {
    loop {
        if let Some(i) = procs.iter_mut().position(|p| p.try_wait().is_some()) {
            return i;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
