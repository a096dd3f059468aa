//! Throughput of Lab 4 on a reliable 3-server cluster:
//! `cargo run --release -p lab4-kvraft --example kvraft_bench`
//! (add `LAB_REALTIME=1` to run on the real clock and Tokio's multi-threaded runtime).
//!
//! Committed operations per second with 1 and with 20 concurrent clerks, each doing
//! Appends to its own key for a fixed time. In simulation, "per second" is per virtual
//! second (the protocol's own speed: a leader sends new entries at its next 10 ms tick,
//! all of that tick's commands in one AppendEntries), and the wall rate says how fast the
//! simulator runs it.

use common::sim::{self, Builder};
use lab4_kvraft::tester::Tester;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How long the clerks run.
const RUN: Duration = Duration::from_secs(10);

fn bench(clerks: usize) {
    let finished = Builder::from_env()
        .try_run(move || async move {
            let tester = Arc::new(Tester::new(3, false, None));
            // Wait for a leader before timing.
            tester.make_client(&tester.all()).clerk().get("x").await;
            let done = Arc::new(AtomicBool::new(false));
            let committed = Arc::new(AtomicU64::new(0));
            let began = sim::now();
            let tasks: Vec<_> = (0..clerks)
                .map(|c| {
                    let (tester, done, committed) =
                        (tester.clone(), done.clone(), committed.clone());
                    tokio::spawn(async move {
                        let mut client = tester.make_client(&tester.all());
                        let key = c.to_string();
                        while !done.load(Ordering::Relaxed) {
                            client.clerk().append(&key, "x").await;
                            committed.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            sim::sleep(RUN).await;
            done.store(true, Ordering::Relaxed);
            for task in tasks {
                task.await.expect("clerk task");
            }
            let took = sim::now() - began;
            tester.cleanup();
            (committed.load(Ordering::Relaxed), took, sim::is_realtime())
        })
        .unwrap_or_else(|f| {
            eprintln!("{}", sim::failure_report(&f));
            std::process::exit(1)
        });
    let (ops, took, realtime) = finished.value;
    let wall = finished.wall.as_secs_f64();
    let clock = if realtime { "real" } else { "virtual" };
    println!(
        "{clerks:>3} clerk(s): {ops:>7} operations committed in {:.1} s {clock}: \
         {:>6.0} per {clock} second; {:.2} s wall ({:.0} per wall second)",
        took.as_secs_f64(),
        ops as f64 / took.as_secs_f64(),
        wall,
        ops as f64 / wall,
    );
}

fn main() {
    bench(1);
    bench(20);
}
