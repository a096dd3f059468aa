//! The real cluster under a nemesis, Jepsen-style, on loopback: 5 `kvraft-server`
//! processes over TCP with their state on disk (fsync on, a snapshot every 4 KB of Raft
//! state), 5 clients doing random Put, Append and Get, while the nemesis kills one server,
//! a majority or all of them with SIGKILL and restarts them, and cuts the cluster in two
//! through the servers' fault hook. The history must be linearizable, and every
//! acknowledged Append present exactly once, in order (`lab4_kvraft::real::testing`).
//!
//! `LAB_REAL_SECONDS` seconds of load (default 12, CI's short form); the long form:
//! `LAB_REAL_SECONDS=30 scripts/stress_test.sh --realtime -j 1 20 lab4-kvraft real_cluster`.

use common::net::CallConfig;
use common::net::process::client_ends;
use common::sim;
use lab4_kvraft::Clerk;
use lab4_kvraft::real::testing::{self, Processes, Spec};
use std::path::PathBuf;
use std::time::Duration;

const SERVERS: usize = 5;

/// Not a course test, and real time: no part suffix, so neither a sub-lab's filter nor the
/// determinism samples (which compare two runs of one seed) select it.
#[test]
fn real_cluster_under_kills_and_partitions() {
    let seconds = testing::load_seconds();
    sim::Builder::from_env()
        .realtime(true)
        .time_limit(Duration::from_secs(seconds + 120))
        .run(|| async move {
            let addrs = testing::free_addrs(SERVERS);
            let specs = (0..SERVERS)
                .map(|i| Spec {
                    bin: PathBuf::from(env!("CARGO_BIN_EXE_kvraft-server")),
                    args: vec![
                        format!("--me={i}"),
                        format!("--peers={}", addrs.join(",")),
                        "--max-raft-state=4000".to_string(),
                    ],
                    group: 0,
                    me: i as u32,
                    addr: addrs[i].clone(),
                })
                .collect();
            let mut p = Processes::start(Processes::scratch("real-cluster-4"), specs);
            let ends = client_ends(&addrs, p.key(), &CallConfig::default());
            let targets: Vec<usize> = (0..SERVERS).collect();
            testing::run(&mut p, &targets, seconds, 5, || Clerk::new(ends.clone())).await;
        });
}
