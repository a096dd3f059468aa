//! Benchmark of Lab 2 in simulation on a reliable network, in release mode:
//! `cargo run --release -p lab2-kvsrv --example kvsrv_bench`
//!
//! Put/Get round trips per wall-clock second, first from one clerk, then from 100 clerks
//! at once. Each round trip crosses the simulated network both ways (encoding, the
//! network's random travel time, a handler task), as in the tests.

use common::sim;
use lab2_kvsrv::tester::Tester;
use std::sync::Arc;

#[allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time"
)]
fn wall_clock() -> std::time::Instant {
    std::time::Instant::now()
}

/// `clerks` clerks each do `rounds` Put-then-Get pairs on their own key; prints the rate.
fn bench(clerks: usize, rounds: usize) {
    let start = wall_clock();
    let virtual_time = sim::run(move || async move {
        let tester = Arc::new(Tester::new(false));
        let began = sim::now();
        let tasks: Vec<_> = (0..clerks)
            .map(|c| {
                let tester = tester.clone();
                tokio::spawn(async move {
                    let mut clerk = tester.make_client();
                    let key = c.to_string();
                    for i in 0..rounds {
                        let value = i.to_string();
                        clerk.put(&key, &value).await;
                        assert_eq!(clerk.get(&key).await, value, "read what was written");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("clerk task");
        }
        sim::now() - began
    });
    let wall = start.elapsed().as_secs_f64();
    let ops = (2 * clerks * rounds) as f64;
    println!(
        "{clerks:>4} clerk(s): {ops:>9.0} Put/Get round trips in {wall:.2} s wall \
         ({:.0} per wall second; {:.2} s virtual)",
        ops / wall,
        virtual_time.as_secs_f64()
    );
}

fn main() {
    bench(1, 100_000);
    bench(100, 2_000);
}
