//! The 2026 course's `mr_test.go`, test by test, on real `mrcoordinator-2026` and
//! `mrworker-2026` processes. Each test keeps the course's name in snake case, its
//! workers, checks and messages, and prints `go test -v`'s `=== RUN` and `--- PASS` lines.

#![allow(clippy::disallowed_methods)] // real processes on the real clock, not the simulator

mod mr;

use mr::{Job, Pattern, compare, wait_any};
use std::time::Duration;

/// The course's `TestWc`: the merged output, complete when the coordinator exits, equals
/// the sequential one.
#[test]
fn test_wc() {
    let job = Job::new("TestWc");
    let correct = job.correct_output("wc", "mr-wc-correct.txt");
    let _workers = job.run_mr("wc", 3);
    let all = job.merge_output("mr-wc-all.txt");
    compare(
        &all,
        &correct,
        "incorrect combined reduce output: mr-wc-all.txt vs mr-wc-correct.txt",
    );
    job.pass();
}

/// The course's `TestIndexer`.
#[test]
fn test_indexer() {
    let job = Job::new("TestIndexer");
    let correct = job.correct_output("indexer", "mr-indexer-correct.txt");
    let _workers = job.run_mr("indexer", 2);
    let all = job.merge_output("mr-indexer-all.txt");
    compare(
        &all,
        &correct,
        "incorrect combined reduce output: mr-indexer-all.txt vs mr-indexer-correct.txt",
    );
    job.pass();
}

/// The course's `TestMapParallel`: both workers ran maps, at the same time.
#[test]
fn test_map_parallel() {
    let job = Job::new("TestMapParallel");
    let _workers = job.run_mr("mtiming", 2);
    let n = job.count_pattern(Pattern::Literal("times-"));
    assert!(n == 2, "saw {n} worker(s) instead of 2");
    let n = job.count_pattern(Pattern::ParallelRest);
    assert!(n > 0, "map workers did not run in parallel");
    job.pass();
}

/// The course's `TestReduceParallel`.
#[test]
fn test_reduce_parallel() {
    let job = Job::new("TestReduceParallel");
    let _workers = job.run_mr("rtiming", 2);
    let n = job.count_pattern(Pattern::LowerThenSpaceTwo);
    assert!(n >= 2, "too few parallel reduces");
    job.pass();
}

/// The course's `TestJobCount`: with four workers and no failure, each map runs once.
#[test]
fn test_job_count() {
    let job = Job::new("TestJobCount");
    let _workers = job.run_mr("jobcount", 4);
    let n = job.count_pattern(Pattern::Literal("a 8"));
    assert!(n == 1, "map jobs ran incorrect number of times");
    job.pass();
}

/// The course's `TestEarlyExit`: the output when the first process exits (coordinator
/// or worker) is the final one.
#[test]
fn test_early_exit() {
    let job = Job::new("TestEarlyExit");
    let mut procs = vec![job.coordinator()];
    std::thread::sleep(Duration::from_secs(1));
    procs.extend((0..4).map(|_| job.worker("early_exit")));
    wait_any(&mut procs);
    let initial = job.merge_output("mr-wc-initial.txt");
    for p in &mut procs {
        p.wait();
    }
    job.wait_coordinator(&mut procs[0]);
    let fin = job.merge_output("mr-wc-final.txt");
    compare(
        &fin,
        &initial,
        "reduce output changed: mr-wc-initial.txt vs mr-wc-final.txt",
    );
    job.pass();
}

/// The course's `TestCrashWorker`: workers exit or stall at random; each that exits is
/// replaced at once, until the coordinator exits; the output must still be right.
#[test]
fn test_crash_worker() {
    let job = Job::new("TestCrashWorker");
    let correct = job.correct_output("nocrash", "mr-crash-correct.txt");
    let mut coordinator = job.coordinator();
    std::thread::sleep(Duration::from_secs(1));
    let mut workers: Vec<_> = (0..3).map(|_| job.worker("crash")).collect();
    loop {
        if let Some(status) = coordinator.try_wait() {
            assert!(status.success(), "Wait {}: {status}", coordinator.label);
            break;
        }
        for w in &mut workers {
            if w.try_wait().is_some() {
                *w = job.worker("crash");
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let all = job.merge_output("mr-crash-all.txt");
    compare(
        &all,
        &correct,
        "incorrect combined reduce output: mr-crash-all.txt vs mr-crash-correct.txt",
    );
    job.pass();
}
