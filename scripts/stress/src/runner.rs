//! Runs the (test, seed) pairs on parallel workers with a wall-clock timeout each, and
//! keeps a live progress line.

use crate::args::{Args, seed_of};
use crate::discover::TestCase;
use crate::outcome::{self, CourseLine};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The result of one (test, seed) pair.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub test: usize,
    pub seed: u64,
    pub passed: bool,
    /// Why it failed (first panic, timeout, trace mismatch); `None` when it passed.
    pub failure: Option<String>,
    pub wall: Duration,
    pub course: Option<CourseLine>,
    /// Everything the run printed (kept for failures only).
    pub output: String,
}

/// How one process ended.
pub struct Exit {
    pub passed: bool,
    pub timed_out: bool,
    pub output: String,
}

/// The environment every run of this sweep gets on top of its seed.
pub fn base_env(args: &Args) -> Vec<(&'static str, String)> {
    if args.realtime {
        vec![("LAB_REALTIME", "1".to_string())]
    } else {
        Vec::new()
    }
}

/// Runs `case` once with `seed` and the extra environment, killing it after `timeout`.
pub fn run_process(
    case: &TestCase,
    seed: u64,
    env: &[(&str, String)],
    timeout: Duration,
    scratch: &Path,
) -> std::io::Result<Exit> {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let log = scratch.join(format!("run-{}.out", RUN.fetch_add(1, Ordering::Relaxed)));
    let file = std::fs::File::create(&log)?;
    let mut cmd = Command::new(&case.exe);
    cmd.args(["--exact", &case.name, "--nocapture", "--test-threads=1"])
        .env("LAB_SEED", seed.to_string())
        // What a failing world needs to print its own replay command.
        .env("CARGO_PKG_NAME", &case.package)
        .env("LAB_TEST_NAME", &case.name)
        .env_remove("LAB_TRACE")
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn()?;
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let passed =
        status.is_some_and(|s| s.success()) && output.contains("test result: ok. 1 passed");
    Ok(Exit {
        passed,
        timed_out,
        output,
    })
}

fn execute(args: &Args, case: &TestCase, test: usize, seed: u64, scratch: &Path) -> RunResult {
    let env = base_env(args);
    let traces: Vec<PathBuf> = (0..if args.twice { 2 } else { 0 })
        .map(|k| scratch.join(format!("{test}-{seed}-{k}.trace")))
        .collect();
    let started = Instant::now();
    let mut exits = Vec::new();
    for k in 0..traces.len().max(1) {
        let mut env = env.clone();
        if let Some(t) = traces.get(k) {
            env.push(("LAB_TRACE", t.display().to_string()));
        }
        match run_process(case, seed, &env, args.timeout, scratch) {
            Ok(exit) => exits.push(exit),
            Err(e) => exits.push(Exit {
                passed: false,
                timed_out: false,
                output: format!("stress_test: could not run the test: {e}"),
            }),
        }
    }
    let wall = started.elapsed() / exits.len() as u32;
    let first = &exits[0];
    let mut failure = if first.timed_out {
        Some(format!(
            "timeout: still running after {} s of wall time (a busy loop or a real hang)",
            args.timeout.as_secs()
        ))
    } else if !first.passed {
        Some(
            outcome::first_panic(&first.output)
                .unwrap_or_else(|| "failed without a panic message".into()),
        )
    } else {
        None
    };
    // A test that never starts a world writes no trace file at all: nothing to compare.
    if failure.is_none() && args.twice && traces.iter().any(|t| t.exists()) {
        let read = |p: &PathBuf| std::fs::read(p).unwrap_or_default();
        let (a, b) = (read(&traces[0]), read(&traces[1]));
        if !exits[1].passed {
            failure = Some("the second run of the same seed failed: not deterministic".into());
        } else if a != b {
            let line = a
                .split(|&c| c == b'\n')
                .zip(b.split(|&c| c == b'\n'))
                .position(|(x, y)| x != y)
                .map_or(0, |l| l + 1);
            failure = Some(format!(
                "not deterministic: two runs of one seed differ from trace line {line}"
            ));
        }
    }
    for t in &traces {
        let _ = std::fs::remove_file(t);
    }
    RunResult {
        test,
        seed,
        passed: failure.is_none(),
        course: outcome::course_line(&first.output),
        output: if failure.is_some() {
            first.output.clone()
        } else {
            String::new()
        },
        failure,
        wall,
    }
}

/// Runs every (test, run) pair; tests are interleaved so each makes progress early.
pub fn run_all(args: &Args, tests: &[TestCase]) -> Result<Vec<RunResult>, String> {
    let jobs: Vec<(usize, u64)> = (0..args.runs)
        .flat_map(|i| (0..tests.len()).map(move |t| (t, i)))
        .map(|(t, i)| (t, seed_of(args.base_seed, i)))
        .collect();
    let total = jobs.len();
    let scratch = args.out_dir.join("scratch");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    eprintln!(
        "{total} runs: {} test(s) x {} seed(s), {} parallel, seed base {}",
        tests.len(),
        args.runs,
        args.jobs,
        args.base_seed
    );
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(total));
    let failed = AtomicUsize::new(0);
    let started = Instant::now();
    let progress = Arc::new(Mutex::new(Instant::now()));
    std::thread::scope(|s| {
        for _ in 0..args.jobs.min(total) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(test, seed)) = jobs.get(i) else {
                        break;
                    };
                    let r = execute(args, &tests[test], test, seed, &scratch);
                    if !r.passed {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    let done = {
                        let mut all = results.lock().unwrap_or_else(|p| p.into_inner());
                        all.push(r);
                        all.len()
                    };
                    show_progress(
                        &progress,
                        done,
                        total,
                        failed.load(Ordering::Relaxed),
                        started,
                    );
                }
            });
        }
    });
    let _ = std::fs::remove_dir(&scratch);
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    Ok(results.into_inner().unwrap_or_else(|p| p.into_inner()))
}

fn show_progress(
    last: &Mutex<Instant>,
    done: usize,
    total: usize,
    failed: usize,
    started: Instant,
) {
    let tty = std::io::stderr().is_terminal();
    let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
    let every = if tty {
        Duration::from_millis(200)
    } else {
        Duration::from_secs(10)
    };
    if done != total && last.elapsed() < every {
        return;
    }
    *last = Instant::now();
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let rate = done as f64 / secs;
    let eta = ((total - done) as f64 / rate.max(1e-9)) as u64;
    let line = format!(
        "[{done:>6}/{total}] failed {failed}  {rate:.1} runs/s  elapsed {}  ETA {}",
        clock(secs as u64),
        clock(eta)
    );
    let mut err = std::io::stderr();
    if tty {
        let _ = write!(err, "\r\x1b[2K{line}");
    } else {
        let _ = writeln!(err, "{line}");
    }
    let _ = err.flush();
}

fn clock(secs: u64) -> String {
    format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}
