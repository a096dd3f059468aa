//! The course's `test-mr.sh`, test by test, on real `mrcoordinator` and `mrworker`
//! processes. Each test keeps the script's name, setup, limits and check, and prints the
//! script's `*** Starting` and `--- ... PASS` lines.

#![allow(clippy::disallowed_methods)] // real processes on the real clock, not the simulator

mod mr;

use mr::{CRASH_TIMEOUT, Job, TIMEOUT, assert_same, wait_any};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The course's wc test: three workers; the output must be complete when the coordinator
/// exits, because the script compares as soon as it does.
#[test]
fn test_wc() {
    let job = Job::new("wc");
    let correct = job.reference("wc");
    let mut coordinator = job.coordinator(TIMEOUT);
    let mut workers: Vec<_> = (0..3).map(|_| job.worker("wc", TIMEOUT)).collect();
    coordinator.wait();
    assert_same(
        &job.output(),
        &correct,
        "wc output is not the same as mr-correct-wc.txt",
    );
    for w in &mut workers {
        w.wait();
    }
    job.pass();
}

/// The course's indexer test: two workers, and the comparison runs as soon as the
/// foreground one exits, so no worker may exit before the output is complete.
#[test]
fn test_indexer() {
    let job = Job::new("indexer");
    let correct = job.reference("indexer");
    let mut coordinator = job.coordinator(TIMEOUT);
    let mut background = job.worker("indexer", TIMEOUT);
    job.worker("indexer", TIMEOUT).wait();
    assert_same(
        &job.output(),
        &correct,
        "indexer output is not the same as mr-correct-indexer.txt",
    );
    background.wait();
    coordinator.wait();
    job.pass();
}

/// The course's map parallelism test: both workers ran maps, and at some moment both ran
/// one at the same time.
#[test]
fn test_map_parallelism() {
    let job = Job::new("map parallelism");
    let mut coordinator = job.coordinator(TIMEOUT);
    let mut background = job.worker("mtiming", TIMEOUT);
    job.worker("mtiming", TIMEOUT).wait();
    let output = job.output();
    let workers = output.iter().filter(|l| l.starts_with("times-")).count();
    assert_eq!(workers, 2, "--- saw {workers} workers rather than 2");
    assert!(
        output
            .iter()
            .any(|l| l.starts_with("parallel") && l.contains(" 2")),
        "--- map workers did not run in parallel"
    );
    background.wait();
    coordinator.wait();
    job.pass();
}

/// The course's reduce parallelism test: at least two reduce keys saw both workers in
/// Reduce at once.
#[test]
fn test_reduce_parallelism() {
    let job = Job::new("reduce parallelism");
    let mut coordinator = job.coordinator(TIMEOUT);
    let mut background = job.worker("rtiming", TIMEOUT);
    job.worker("rtiming", TIMEOUT).wait();
    let parallel = job
        .output()
        .iter()
        .filter(|l| {
            let b = l.as_bytes();
            b.len() >= 3 && b[0].is_ascii_lowercase() && &b[1..3] == b" 2"
        })
        .count();
    assert!(parallel >= 2, "--- too few parallel reduces.");
    background.wait();
    coordinator.wait();
    job.pass();
}

/// The course's job count test: with no failures each map runs exactly once, however many
/// workers come and go.
#[test]
fn test_job_count() {
    let job = Job::new("job count");
    let mut coordinator = job.coordinator(TIMEOUT);
    let mut first = job.worker("jobcount", TIMEOUT);
    job.worker("jobcount", TIMEOUT).wait();
    let mut third = job.worker("jobcount", TIMEOUT);
    job.worker("jobcount", TIMEOUT).wait();
    let runs: Vec<String> = job
        .output()
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
        .collect();
    assert_eq!(
        runs,
        ["8"],
        "--- map jobs ran incorrect number of times ({runs:?} != 8)"
    );
    first.wait();
    third.wait();
    coordinator.wait();
    job.pass();
}

/// The course's early exit test: when the first process (coordinator or worker) exits,
/// the output must already be final.
#[test]
fn test_early_exit() {
    let job = Job::new("early exit");
    let correct = job.reference("early_exit");
    let mut procs = vec![job.coordinator(TIMEOUT)];
    procs.extend((0..3).map(|_| job.worker("early_exit", TIMEOUT)));
    let first = wait_any(&mut procs);
    let at_first_exit = job.output();
    for p in &mut procs {
        p.wait();
    }
    assert_same(
        &job.output(),
        &at_first_exit,
        &format!(
            "output changed after first worker exited ({} exited first)",
            procs[first].label
        ),
    );
    // Beyond the course's script: the job must also have finished, with the right output.
    // The script compares only the output at the first exit with the output at the end,
    // so a job that writes nothing at all (the course's own skeleton) passes it.
    assert_same(
        &job.output(),
        &correct,
        "early exit output is not the same as mrsequential's",
    );
    job.pass();
}

/// The course's crash test: workers exit or stall at random inside Map and Reduce, new
/// ones keep starting (three loops, one second apart, while the coordinator's socket
/// exists), and the output must still match the reference.
#[test]
fn test_crash() {
    let job = Job::new("crash");
    let correct = job.reference("nocrash");
    let mut coordinator = job.coordinator(CRASH_TIMEOUT);
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let mut first = job.worker("crash", CRASH_TIMEOUT);
        let restarter = || {
            while job.socket.exists() && !done.load(Ordering::SeqCst) {
                job.worker("crash", CRASH_TIMEOUT).wait();
                std::thread::sleep(Duration::from_secs(1));
            }
        };
        let loops: Vec<_> = (0..3).map(|_| scope.spawn(restarter)).collect();
        coordinator.wait();
        done.store(true, Ordering::SeqCst);
        for handle in loops {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        first.wait();
    });
    assert_same(
        &job.output(),
        &correct,
        "crash output is not the same as mr-correct-crash.txt",
    );
    job.pass();
}
