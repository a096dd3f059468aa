//! The real sharded cluster under a nemesis, Jepsen-style, on loopback: 3
//! `shardctrler-server` and two groups of 3 `shardkv-server` processes over TCP with their
//! state on disk. Group 1 joins first; under load, group 2 joins and then group 1 leaves,
//! so every shard moves between processes, while the nemesis kills one server, a majority
//! or all of them with SIGKILL and restarts them, and cuts groups in two. The history must
//! be linearizable, and every acknowledged Append present exactly once, in order
//! (`lab4_kvraft::real::testing`).
//!
//! `LAB_REAL_SECONDS` seconds of load (default 12, CI's short form); the long form:
//! `LAB_REAL_SECONDS=30 scripts/stress_test.sh --realtime -j 1 20 lab5-shardkv real_cluster`.

use common::net::CallConfig;
use common::net::process::client_ends;
use common::sim;
use lab4_kvraft::real::Reach;
use lab4_kvraft::real::testing::{self, Processes, Spec};
use lab5_shardkv::{Clerk, ctrler};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Not a course test, and real time: no part suffix, so neither a sub-lab's filter nor the
/// determinism samples (which compare two runs of one seed) select it.
#[test]
fn real_cluster_join_and_leave_under_kills_and_partitions() {
    let seconds = testing::load_seconds();
    sim::Builder::from_env()
        .realtime(true)
        .time_limit(Duration::from_secs(seconds + 120))
        .run(|| async move {
            let addrs = testing::free_addrs(9);
            let (ctrlers, groups) = (
                addrs[0..3].to_vec(),
                [addrs[3..6].to_vec(), addrs[6..9].to_vec()],
            );
            let mut specs = Vec::new();
            for (i, addr) in ctrlers.iter().enumerate() {
                specs.push(Spec {
                    bin: PathBuf::from(env!("CARGO_BIN_EXE_shardctrler-server")),
                    args: vec![
                        format!("--me={i}"),
                        format!("--peers={}", ctrlers.join(",")),
                    ],
                    group: 0,
                    me: i as u32,
                    addr: addr.clone(),
                });
            }
            for (g, servers) in groups.iter().enumerate() {
                for (i, addr) in servers.iter().enumerate() {
                    specs.push(Spec {
                        bin: PathBuf::from(env!("CARGO_BIN_EXE_shardkv-server")),
                        args: vec![
                            format!("--gid={}", g + 1),
                            format!("--me={i}"),
                            format!("--peers={}", servers.join(",")),
                            format!("--ctrlers={}", ctrlers.join(",")),
                            "--max-raft-state=4000".to_string(),
                        ],
                        group: g + 1,
                        me: i as u32,
                        addr: addr.clone(),
                    });
                }
            }
            let mut p = Processes::start(Processes::scratch("real-cluster-5"), specs);
            let reach = Reach::new(p.key().clone());
            let ctrler_ends = client_ends(&ctrlers, p.key(), &CallConfig::default());
            let mut admin = ctrler::Clerk::new(ctrler_ends.clone());
            admin.join(BTreeMap::from([(1, groups[0].clone())])).await;
            // Under load: group 2 joins, then group 1 leaves.
            let second = groups[1].clone();
            let reconfigure = sim::spawn(async move {
                sim::sleep(Duration::from_secs(seconds / 3)).await;
                admin.join(BTreeMap::from([(2, second)])).await;
                sim::sleep(Duration::from_secs(seconds / 3)).await;
                admin.leave(vec![1]).await;
                admin.query(-1).await
            });
            let targets: Vec<usize> = (0..p.len()).collect();
            testing::run(&mut p, &targets, seconds, 4, || {
                Clerk::new(ctrler_ends.clone(), reach.make_end())
            })
            .await;
            let last = reconfigure.await.expect("the reconfiguring task");
            assert!(
                last.shards.iter().all(|g| *g == 2) && !last.groups.contains_key(&1),
                "group 1 left and group 2 serves every shard: {last:?}"
            );
        });
}
