//! The course's shard controller harness (`shardctrler/config.go`) and its checks: a
//! [`Cluster`] of controller replicas on a reliable network, clerks on random ends, and
//! `check` (the groups, every shard on one of them, balance).

use crate::config::{Config, N_SHARDS};
use crate::ctrler::{Clerk, ShardCtrler};
use common::labrpc::Network;
use common::report;
use lab3_raft::tester::cluster::Cluster;
use std::collections::BTreeMap;

lab3_raft::impl_replica!(ShardCtrler);

/// One controller test's cluster.
pub struct Tester {
    net: Network,
    cluster: Cluster<ShardCtrler>,
    /// Virtual time and RPC count at [`Tester::begin`].
    baseline: report::Baseline,
}

impl Tester {
    /// The course's `make_config(t, n, false)`: `n` controller replicas, started and
    /// connected, on a reliable network.
    pub fn new(n: usize) -> Tester {
        let net = Network::new();
        let cluster = Cluster::new(
            &net,
            n,
            |i| format!("ctrler-{i}"),
            Box::new(ShardCtrler::start),
        );
        for i in 0..n {
            cluster.start_server(i);
        }
        cluster.connect_all();
        Tester {
            net,
            cluster,
            baseline: report::Baseline::default(),
        }
    }

    /// The replicas: crash, restart, leader.
    pub fn cluster(&self) -> &Cluster<ShardCtrler> {
        &self.cluster
    }

    /// A clerk with ends to every replica, in random order.
    pub fn make_client(&self) -> Clerk {
        let (ends, _) = self.cluster.client_ends(&self.cluster.all());
        Clerk::new(ends)
    }

    /// Prints a subtest's title and starts counting time and RPCs.
    pub fn begin(&self, desc: &str) {
        report::begin(desc);
        self.baseline.mark(&self.net);
    }

    /// Prints the `  ... Passed --` line (time, controller replicas, RPCs; the course
    /// prints no figures here).
    pub fn end(&self) {
        self.baseline.passed_kv(&self.net, self.cluster.n(), 0);
    }

    /// Kills every replica.
    pub fn cleanup(&self) {
        self.cluster.cleanup();
    }
}

/// The course's `check(t, groups, ck)`: the latest configuration has exactly `groups`,
/// every shard is on one of them, and their shard counts differ by at most one.
pub async fn check(clerk: &mut Clerk, groups: &[u64]) -> Config {
    let c = clerk.query(-1).await;
    assert_eq!(
        c.groups.len(),
        groups.len(),
        "wanted {} groups, got {}",
        groups.len(),
        c.groups.len()
    );
    for g in groups {
        assert!(c.groups.contains_key(g), "missing group {g}");
    }
    if !groups.is_empty() {
        for (shard, gid) in c.shards.iter().enumerate() {
            assert!(
                c.groups.contains_key(gid),
                "shard {shard} -> invalid group {gid}"
            );
        }
    }
    let mut counts: BTreeMap<u64, usize> = c.groups.keys().map(|&g| (g, 0)).collect();
    for gid in &c.shards {
        if let Some(n) = counts.get_mut(gid) {
            *n += 1;
        }
    }
    if let (Some(min), Some(max)) = (counts.values().min(), counts.values().max()) {
        assert!(*max <= min + 1, "max {max} too much larger than min {min}");
    }
    c
}

/// The course's `check_same_config`.
#[track_caller]
pub fn check_same_config(c1: &Config, c2: &Config) {
    assert_eq!(c1.num, c2.num, "Num wrong");
    assert_eq!(c1.shards, c2.shards, "Shards wrong");
    assert_eq!(c1.groups, c2.groups, "Groups wrong");
}

/// How many shards are on a different group in `b` than in `a`.
pub fn shards_moved(a: &Config, b: &Config) -> usize {
    (0..N_SHARDS)
        .filter(|&s| a.shards[s] != b.shards[s])
        .count()
}
