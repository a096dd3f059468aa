//! The course's shardkv harness (`shardkv/config.go`), as far as the 5A tests use it: one
//! controller service of 3 replicas, 3 replica groups (gids 100, 101, 102) of 3 servers
//! each on the same network, `make_end` for ends to any server by name, whole groups shut
//! down and restarted, joins and leaves through a controller clerk, and `checklogs`.

use crate::ctrler::{self, ShardCtrler};
use crate::shardkv::ends::MakeEnd;
use crate::shardkv::{Clerk, ShardKv};
use common::labrpc::Network;
use common::report;
use lab4_kvraft::tester::cluster::Cluster;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The groups' gids: `GIDS[gi]` is group `gi`'s.
pub const GIDS: [u64; 3] = [100, 101, 102];

/// Servers per group, and controller replicas.
pub const SERVERS: usize = 3;

lab4_kvraft::impl_replica!(ShardKv);

/// One shardkv test's world.
pub struct Tester {
    net: Network,
    ctrlers: Cluster<ShardCtrler>,
    groups: Vec<Cluster<ShardKv>>,
    /// The tester's own controller clerk, for joins and leaves.
    ctrler_clerk: Mutex<ctrler::Clerk>,
    max_raft_state: Option<usize>,
    make_end: MakeEnd,
}

impl Tester {
    /// The course's `make_config(t, n, unreliable, maxraftstate)` with `n` =
    /// [`SERVERS`]: the controller and every group started; no group joined yet.
    pub fn new(unreliable: bool, max_raft_state: Option<usize>) -> Tester {
        let net = Network::new();
        let ctrlers = start_ctrler_service(&net, "ctlr");
        let make_end: MakeEnd = {
            let net = net.clone();
            Arc::new(move |server: &str| {
                let end = net.make_ends_to([server]).pop().expect("one end");
                net.enable(end.name(), true);
                end
            })
        };
        let groups = GIDS
            .iter()
            .map(|&gid| {
                let (network, make_end) = (net.clone(), make_end.clone());
                let ctrler_names = ctrlers.names().to_vec();
                let start = move |ends, me, persister| {
                    // Its ends to the controllers are enabled at once, as the course's.
                    let to_ctrlers = network.make_ends_to(&ctrler_names);
                    for end in &to_ctrlers {
                        network.enable(end.name(), true);
                    }
                    ShardKv::start(
                        ends,
                        me,
                        persister,
                        max_raft_state,
                        gid,
                        to_ctrlers,
                        make_end.clone(),
                    )
                };
                Cluster::new(
                    &net,
                    SERVERS,
                    move |i| format!("server-{gid}-{i}"),
                    Box::new(start),
                )
            })
            .collect();
        let (ends, _) = ctrlers.client_ends(&ctrlers.all());
        let t = Tester {
            ctrler_clerk: Mutex::new(ctrler::Clerk::new(ends)),
            net,
            ctrlers,
            groups,
            max_raft_state,
            make_end,
        };
        for gi in 0..GIDS.len() {
            t.start_group(gi);
        }
        t.net.set_reliable(!unreliable);
        t
    }

    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// The course's `StartCtrlerService`: another controller service on this network,
    /// which knows nothing of the first one.
    pub fn start_ctrler_service(&self, prefix: &str) -> Cluster<ShardCtrler> {
        start_ctrler_service(&self.net, prefix)
    }

    /// The controller service.
    pub fn ctrlers(&self) -> &Cluster<ShardCtrler> {
        &self.ctrlers
    }

    /// The course's `makeClient(ctl)`: a clerk of the sharded service that asks the
    /// controller service `ctrlers` where shards are.
    pub fn make_client(&self, ctrlers: &Cluster<ShardCtrler>) -> Clerk {
        let (ends, _) = ctrlers.client_ends(&ctrlers.all());
        Clerk::new(ends, self.make_end.clone())
    }

    /// The course's `StartGroup(gi)`: starts every server of group `gi`, connected.
    pub fn start_group(&self, gi: usize) {
        let group = &self.groups[gi];
        for i in 0..SERVERS {
            group.start_server(i);
        }
        // The course's shardkv servers start with their ends enabled.
        group.connect_all();
    }

    /// The course's `ShutdownGroup(gi)`.
    pub fn shutdown_group(&self, gi: usize) {
        for i in 0..SERVERS {
            self.groups[gi].shutdown_server(i);
        }
    }

    /// The course's `join(gi)`: group `gi` joins through the controller.
    pub async fn join(&self, gi: usize) {
        let servers = self.groups[gi].names().to_vec();
        let joining = BTreeMap::from([(GIDS[gi], servers)]);
        self.ctrler_clerk.lock().await.join(joining).await;
    }

    /// The course's `leave(gi)`.
    pub async fn leave(&self, gi: usize) {
        self.ctrler_clerk.lock().await.leave(vec![GIDS[gi]]).await;
    }

    /// The course's `checklogs`: with a snapshot threshold, every server's Raft state is
    /// within 8 times it; without one, nobody snapshotted.
    pub fn check_logs(&self) {
        for (gi, group) in self.groups.iter().enumerate() {
            match self.max_raft_state {
                Some(max) => {
                    let size = group.log_size();
                    assert!(
                        size <= 8 * max,
                        "group {gi}: persister.RaftStateSize() {size}, but maxraftstate {max}"
                    );
                }
                None => assert!(
                    group.snapshot_size() == 0,
                    "group {gi}: maxraftstate is -1, but snapshot is non-empty!"
                ),
            }
        }
    }

    /// Prints a test's title.
    pub fn begin(&self, desc: &str) {
        report::begin(desc);
    }

    /// Prints the course's `  ... Passed` (the shardkv tests print no figures).
    pub fn end(&self) {
        println!("  ... Passed");
    }

    /// Kills every server of every service.
    pub fn cleanup(&self) {
        self.ctrlers.cleanup();
        for group in &self.groups {
            group.cleanup();
        }
    }
}

/// A controller service of [`SERVERS`] replicas named `<prefix>-<i>`, started and
/// connected.
fn start_ctrler_service(net: &Network, prefix: &str) -> Cluster<ShardCtrler> {
    let prefix = prefix.to_string();
    let ctrlers = Cluster::new(
        net,
        SERVERS,
        move |i| format!("{prefix}-{i}"),
        Box::new(ShardCtrler::start),
    );
    for i in 0..SERVERS {
        ctrlers.start_server(i);
    }
    ctrlers.connect_all();
    ctrlers
}
