//! Demo of the simulated world: a busy, faulty network for a few virtual seconds.
//!
//! `cargo run -p common --example network_demo` (add `LAB_SEED=<n>` to replay a run exactly).

use common::labrpc::workload;
use common::sim::{Builder, TraceTo};
use std::time::Duration;

fn main() {
    let done = Builder::from_env()
        .trace(TraceTo::Memory)
        .try_run(|| workload::busy(5, 8, Duration::from_secs(10)))
        .unwrap_or_else(|f| {
            eprintln!("{}", common::sim::failure_report(&f));
            std::process::exit(1)
        });
    let (timing, replay) = (
        done.timing(),
        done.replay("cargo run -p common --example network_demo"),
    );
    let st = done.value;
    let trace = String::from_utf8_lossy(done.trace.as_deref().unwrap_or_default()).into_owned();
    println!("{timing}");
    println!(
        "5 servers, 8 clients x 6 calls in flight; a nemesis drops ends, crashes servers, toggles reliability and reordering"
    );
    println!(
        "calls {}  replies {}  faults injected {}",
        st.calls, st.replies, st.faults
    );
    for (why, n) in &st.failures {
        println!("  failed: {n:6}  {why}");
    }
    println!(
        "network: {} RPCs, {} bytes; delivered per server {:?}",
        st.total_count, st.total_bytes, st.per_server
    );
    println!("trace: {} events; the first ten:", trace.lines().count());
    for line in trace.lines().take(10) {
        println!("  {line}");
    }
    println!("{replay}");
}
