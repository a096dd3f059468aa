//! Same seed, same world, event for event: the trace of a busy, faulty network run is
//! byte-identical across runs of one seed, and differs for another seed.

use common::labrpc::workload::{self, WorkloadStats};
use common::sim::{Builder, TraceTo};
use std::time::Duration;

fn traced(seed: u64, to: TraceTo) -> (WorkloadStats, Option<Vec<u8>>) {
    let done = Builder::new()
        .seed(seed)
        .trace(to)
        .try_run(|| workload::busy(5, 8, Duration::from_secs(4)))
        .unwrap_or_else(|f| panic!("{}", common::sim::failure_report(&f)));
    (done.value, done.trace)
}

/// The seeds to compare: `LAB_SEED` when set (so the stress runner can sweep seeds),
/// else a fixed few.
fn seeds() -> Vec<u64> {
    match std::env::var("LAB_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) => vec![seed],
        None => vec![1, 42, 0xdead_beef],
    }
}

#[test]
fn determinism_same_seed_same_trace() {
    for seed in seeds() {
        let (stats_a, trace_a) = traced(seed, TraceTo::Memory);
        let (stats_b, trace_b) = traced(seed, TraceTo::Memory);
        let (trace_a, trace_b) = (trace_a.unwrap(), trace_b.unwrap());
        let lines = trace_a.iter().filter(|&&b| b == b'\n').count();
        assert!(
            lines > 2_000,
            "seed {seed}: only {lines} trace lines: not a busy run"
        );
        assert!(
            stats_a.faults > 5 && stats_a.replies > 300,
            "seed {seed}: {stats_a:?}"
        );
        assert!(
            stats_a.failures.len() >= 2,
            "seed {seed}: few failure kinds {stats_a:?}"
        );
        assert_eq!(stats_a, stats_b, "seed {seed}: stats differ");
        if trace_a != trace_b {
            let first = trace_a
                .split(|&b| b == b'\n')
                .zip(trace_b.split(|&b| b == b'\n'))
                .position(|(a, b)| a != b);
            panic!("seed {seed}: traces differ from line {first:?}");
        }
    }
}

#[test]
fn determinism_another_seed_another_trace() {
    let (_, a) = traced(1, TraceTo::Memory);
    let (_, b) = traced(2, TraceTo::Memory);
    assert_ne!(a, b);
}

#[test]
fn determinism_trace_files_are_byte_identical() {
    let dir = std::env::temp_dir().join(format!("lab-determinism-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.trace"), dir.join("b.trace"));
    traced(7, TraceTo::File(a.clone()));
    traced(7, TraceTo::File(b.clone()));
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!a.is_empty());
    assert!(a == b, "trace files of one seed differ");
    let text = String::from_utf8(a).unwrap();
    let kinds = ["send", "deliver", "drop", "reply"];
    for kind in kinds {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().nth(1) == Some(kind)),
            "no {kind} line"
        );
    }
}
