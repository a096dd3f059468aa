//! Benchmark of the linearizability checker (wall time and peak memory), in release mode:
//! `cargo run --release -p common --example linearizability_bench`
//!
//! 1. A linearizable history of 20,000 operations over 50 keys from 10 clients.
//! 2. The hard case: one hot key, 15 clients always overlapping, 10,000 Put/Append/Get with
//!    unique values; then the same with the presolver off, as the course's checker sees it.
//! 3. How the hot key scales: 100,000 and 1,000,000 operations.

use common::linearizability::kv::{KvInput, KvModel, KvOperation, KvOutput};
use common::linearizability::random_history::{Workload, corrupt_one_read, linearizable_kv};
use common::linearizability::{Budget, Model, SearchOnly, Verdict, check};
use common::sim::StdRng;
use rand::SeedableRng;
use std::time::Duration;

#[allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time"
)]
fn wall_clock() -> std::time::Instant {
    std::time::Instant::now()
}

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn run<M: Model<Input = KvInput, Output = KvOutput>>(
    name: &str,
    model: &M,
    history: &[KvOperation],
    budget: Budget,
) -> Verdict {
    let start = wall_clock();
    let verdict = check(model, history, budget).expect("well-formed");
    let secs = start.elapsed().as_secs_f64();
    let max_memo = verdict
        .partitions
        .iter()
        .map(|p| p.memory)
        .max()
        .unwrap_or(0);
    println!(
        "{name:<58} {:>9} ops  {:<18} {:>7.3} s  steps {:>10}  memo {:>6.1} MiB  peak RSS {:>7.1} MiB",
        history.len(),
        verdict.result.to_string(),
        secs,
        verdict.steps(),
        max_memo as f64 / (1 << 20) as f64,
        peak_mib()
    );
    verdict
}

fn main() {
    let mut rng = StdRng::seed_from_u64(6824);
    let one_second = Budget::from_timeout(Duration::from_secs(1));
    let minute = Budget::from_timeout(Duration::from_secs(60));

    let many_keys = Workload {
        clients: 10,
        ops: 20_000,
        keys: 50,
        put_percent: 10,
        get_percent: 45,
        unique_values: true,
        max_pause: 2_000,
        max_latency: 20_000,
        append_returns_old: false,
    };
    let history = linearizable_kv(&mut rng, &many_keys);
    run(
        "20,000 ops, 50 keys, 10 clients",
        &KvModel::new(),
        &history,
        one_second,
    );
    run(
        "  the same, search only",
        &SearchOnly(KvModel::new()),
        &history,
        one_second,
    );
    let repeated = Workload {
        unique_values: false,
        ..many_keys.clone()
    };
    let history = linearizable_kv(&mut rng, &repeated);
    run(
        "  repeated values (search decides)",
        &KvModel::new(),
        &history,
        one_second,
    );

    for (ops, put_percent) in [(10_000, 20), (10_000, 1), (100_000, 20), (1_000_000, 20)] {
        let hot = Workload {
            clients: 15,
            ops,
            keys: 1,
            put_percent,
            get_percent: 40,
            unique_values: true,
            max_pause: 0,
            max_latency: 20_000,
            append_returns_old: false,
        };
        let history = linearizable_kv(&mut rng, &hot);
        let name = format!("hot key, 15 clients always overlapping, {put_percent}% Puts");
        run(&name, &KvModel::new(), &history, one_second);
        if ops == 10_000 && put_percent == 20 {
            run(
                "  the same, search only, 60 s of steps",
                &SearchOnly(KvModel::new()),
                &history,
                minute,
            );
            let mut bad = history.clone();
            corrupt_one_read(&mut rng, &mut bad);
            let verdict = run(
                "  one read corrupted (then explained)",
                &KvModel::new(),
                &bad,
                one_second,
            );
            if let Some(p) = verdict.first_illegal() {
                println!("    reason: {}", p.reason.as_deref().unwrap_or("-"));
            }
        }
    }
}
