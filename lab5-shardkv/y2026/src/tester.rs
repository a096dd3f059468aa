//! The course's `shardkv1/test.go`: group 0 is the controller's Lab 2 KV server
//! (`server-0-0`), groups 1, 2, ... are shard groups of [`NSRV`] servers; the tests join
//! and leave groups through a controller, crash groups, and cut controllers off
//! mid-change, and check every key after (`CheckGet` at version 1: a moved shard keeps
//! each key's version).
//!
//! As in the course, the passed line's `#peers` is group 0's size, 1.

use crate::shardcfg::{GID1, ShardConfig, Tgid};
use crate::shardctrler::ShardCtrler;
use crate::shardgrp::ShardGrpServer;
use crate::{Clerk, shardcfg};
use common::kvtest::{KvClerk, KvTest, Stop, TestClerk};
use common::sim::{self, RngExt};
use common::tester1::{Clnt, Config, ServerGrp};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Servers per shard group (`NSRV`).
pub const NSRV: usize = 3;

/// The pause after each join or leave of `joinGroups` and `leaveGroups` (`INTERGRPDELAY`).
pub const INTERGRPDELAY: Duration = Duration::from_millis(200);

/// Groups the many-groups tests join (`NGRP`).
pub const NGRP: usize = 8;

/// Keys the tests spread (`NKEYS`: 5 per shard).
pub const NKEYS: usize = 5 * shardcfg::N_SHARDS;

type Group = ServerGrp<ShardGrpServer>;

/// One shardkv test.
pub struct Test {
    /// The network, counts, lines.
    pub cfg: Arc<Config>,
    /// Clerks, recorded operations, workloads.
    pub ts: Arc<KvTest<Clerk>>,
    /// Group 0: the controller's KV server.
    kvsrv: Arc<ServerGrp<lab2_kvsrv_2026::KvServer>>,
    groups: Mutex<BTreeMap<Tgid, Arc<Group>>>,
    next_gid: AtomicU64,
    /// The controller `setupKVService` made (`ts.sck`).
    sck: Mutex<Option<Arc<ShardCtrler>>>,
    /// Whether the old controller of `partitionCtrler` comes back (Part C).
    partition: bool,
    max_raft_state: Option<usize>,
}

/// Runs `f` for at most `d`: its output, or `None` if `d` passed first.
pub async fn within<T>(d: Duration, f: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        biased;
        out = f => Some(out),
        () = sim::sleep(d) => None,
    }
}

impl Test {
    /// The course's `MakeTest(t, part, reliable)`: no snapshots, no partitioned controller.
    pub fn new(part: &str, reliable: bool) -> Arc<Test> {
        Test::new_max_raft(part, reliable, false, -1)
    }

    /// The course's `MakeTestLeases(t, part, reliable)`: `partitionCtrler` reconnects the
    /// old controller.
    pub fn new_leases(part: &str, reliable: bool) -> Arc<Test> {
        Test::new_max_raft(part, reliable, true, -1)
    }

    /// The course's `MakeTestMaxRaft`: group 0 started, the title printed.
    pub fn new_max_raft(
        part: &str,
        reliable: bool,
        partition: bool,
        max_raft_state: i64,
    ) -> Arc<Test> {
        let cfg = Arc::new(Config::new());
        let kvsrv = Arc::new(ServerGrp::new(
            cfg.net(),
            0,
            1,
            Box::new(|_ends, _gid, _me, _persister| lab2_kvsrv_2026::KvServer::new()),
        ));
        kvsrv.start_servers();
        cfg.set_reliable(reliable);
        let make = {
            let cfg = cfg.clone();
            move |clnt| Clerk::new(clnt, ShardCtrler::new(cfg.make_client()))
        };
        let ts = Arc::new(KvTest::new(cfg.clone(), false, Arc::new(make)));
        let t = Arc::new(Test {
            cfg,
            ts,
            kvsrv,
            groups: Mutex::new(BTreeMap::new()),
            next_gid: AtomicU64::new(GID1 + 1),
            sck: Mutex::new(None),
            partition,
            max_raft_state: usize::try_from(max_raft_state).ok(),
        });
        t.cfg.begin(part);
        t
    }

    /// The passed line, then every server stops (`Cleanup`).
    pub fn cleanup(&self) {
        self.cfg.end(self.kvsrv.n());
        self.cfg.delete_clients();
        for grp in self.lock_groups().values() {
            grp.shutdown();
        }
        self.kvsrv.shutdown();
    }

    fn lock_groups(&self) -> MutexGuard<'_, BTreeMap<Tgid, Arc<Group>>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Shard group `gid` (`Group(gid)`).
    ///
    /// # Panics
    /// If the test made no such group.
    pub fn group(&self, gid: Tgid) -> Arc<Group> {
        self.lock_groups()
            .get(&gid)
            .cloned()
            .unwrap_or_else(|| panic!("no group {gid}"))
    }

    /// A gid not used yet (`newGid`).
    pub fn new_gid(&self) -> Tgid {
        self.next_gid.fetch_add(1, Ordering::SeqCst)
    }

    /// `n` new gids (`groups`).
    pub fn new_gids(&self, n: usize) -> Vec<Tgid> {
        (0..n).map(|_| self.new_gid()).collect()
    }

    /// Makes group `gid` with fresh persisters, starts and connects it
    /// (`MakeGroupStart`); returns its servers' names.
    pub fn make_group_start(&self, gid: Tgid) -> Vec<String> {
        let limit = self.max_raft_state;
        let start =
            move |ends, gid, me, persister| ShardGrpServer::start(ends, gid, me, persister, limit);
        let grp = Arc::new(ServerGrp::new(self.cfg.net(), gid, NSRV, Box::new(start)));
        grp.start_servers();
        let names = grp.srv_names().to_vec();
        self.lock_groups().insert(gid, grp);
        names
    }

    /// Shuts group `gid` down and forgets it (`ExitGroup`).
    pub fn exit_group(&self, gid: Tgid) {
        if let Some(grp) = self.lock_groups().remove(&gid) {
            grp.shutdown();
        }
    }

    /// A controller on a new client (`makeShardCtrler`).
    pub fn make_shard_ctrler(&self) -> Arc<ShardCtrler> {
        self.make_shard_ctrler_clnt().0
    }

    /// A controller and its client, to cut it off (`makeShardCtrlerClnt`).
    pub fn make_shard_ctrler_clnt(&self) -> (Arc<ShardCtrler>, Clnt) {
        let clnt = self.cfg.make_client();
        (Arc::new(ShardCtrler::new(clnt.clone())), clnt)
    }

    /// The controller `setupKVService` made (`ShardCtrler()`).
    ///
    /// # Panics
    /// Before `setup_kv_service`.
    pub fn shard_ctrler(&self) -> Arc<ShardCtrler> {
        self.sck
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .expect("setup_kv_service made the controller")
    }

    /// A clerk on a new client, with a controller on another (`MakeClerk`).
    pub fn make_clerk(&self) -> TestClerk<Clerk> {
        self.ts.make_clerk()
    }

    /// The course's `setupKVService`: a controller, group 1 started, and the first
    /// configuration (number 1, every shard on group 1) stored. Returns group 1's gid.
    pub async fn setup_kv_service(&self) -> Tgid {
        let sck = self.make_shard_ctrler();
        *self.sck.lock().unwrap_or_else(|e| e.into_inner()) = Some(sck.clone());
        let servers = self.make_group_start(GID1);
        let mut cfg = ShardConfig::new();
        cfg.join_balance(&BTreeMap::from([(GID1, servers)]));
        sck.init_config(&cfg).await;
        GID1
    }

    /// What most tests begin with: `setupKVService`, a clerk `ck`, and `SpreadPuts(ck,
    /// NKEYS)`. Returns group 1's gid, the clerk, the keys and their values.
    pub async fn setup_with_keys(&self) -> (Tgid, TestClerk<Clerk>, Vec<String>, Vec<String>) {
        let gid = self.setup_kv_service().await;
        let ck = self.make_clerk();
        let (keys, values) = self.spread_puts(&ck, NKEYS).await;
        (gid, ck, keys, values)
    }

    /// The course's `join`: the current configuration with `gid` joined and rebalanced,
    /// handed to `sck`.
    pub async fn join(&self, sck: &ShardCtrler, gid: Tgid, servers: Vec<String>) {
        let mut cfg = sck.query().await;
        assert!(
            cfg.join_balance(&BTreeMap::from([(gid, servers)])),
            "join: group {gid} is already present"
        );
        sck.change_config_to(&cfg).await;
    }

    /// The course's `leave`.
    pub async fn leave(&self, sck: &ShardCtrler, gid: Tgid) {
        let mut cfg = sck.query().await;
        assert!(
            cfg.leave_balance(&[gid]),
            "leave: group {gid} is already not present"
        );
        sck.change_config_to(&cfg).await;
    }

    /// Whether `gid` serves a shard in `sck`'s current configuration (`checkMember`).
    pub async fn check_member(&self, sck: &ShardCtrler, gid: Tgid) -> bool {
        sck.query().await.is_member(gid)
    }

    /// The course's `joinGroups`: for each gid a fresh group, joined; false as soon as
    /// one is not a member after its join.
    pub async fn join_groups(&self, sck: &ShardCtrler, gids: &[Tgid]) -> bool {
        for &gid in gids {
            let servers = self.make_group_start(gid);
            self.join(sck, gid, servers).await;
            if !self.check_member(sck, gid).await {
                return false;
            }
            sim::sleep(INTERGRPDELAY).await;
        }
        true
    }

    /// The course's `leaveGroups`: each gid leaves and, once it serves nothing, is shut
    /// down and forgotten; false as soon as one is still a member after its leave.
    pub async fn leave_groups(&self, sck: &ShardCtrler, gids: &[Tgid]) -> bool {
        for &gid in gids {
            self.leave(sck, gid).await;
            if self.check_member(sck, gid).await {
                return false;
            }
            self.exit_group(gid);
            sim::sleep(INTERGRPDELAY).await;
        }
        true
    }

    /// The course's `shutdownLeader`: crashes the server of `gid` that `ck`'s group clerk
    /// last heard from as leader. It is not restarted.
    ///
    /// # Panics
    /// If `ck` never called group `gid`.
    pub fn shutdown_leader(&self, ck: &TestClerk<Clerk>, gid: Tgid) {
        let Some(grp_ck) = ck.clerk().get_clerk(gid) else {
            panic!("shutdownLeader: no shardgrp clerk for {gid}");
        };
        self.group(gid).shutdown_server(grp_ck.leader());
    }

    /// The course's `SpreadPuts`: 20-character values.
    pub async fn spread_puts(&self, ck: &TestClerk<Clerk>, n: usize) -> (Vec<String>, Vec<String>) {
        self.ts.spread_puts_size(ck, n, 20).await
    }

    /// `CheckGet` of every key at version 1.
    pub async fn check_gets(&self, ck: &impl KvClerk, keys: &[String], values: &[String]) {
        for (k, v) in keys.iter().zip(values) {
            self.ts.check_get(ck, k, v, 1).await;
        }
    }

    /// The course's `checkShutdownSharding`: with group `down` shut down, a new clerk per
    /// key Gets it; results are collected until 2 s pass without one, and must not
    /// include every key. Then the group restarts from what it persisted.
    pub async fn check_shutdown_sharding(
        self: &Arc<Self>,
        down: Tgid,
        keys: &[String],
        values: &[String],
    ) {
        const NSEC: Duration = Duration::from_secs(2);
        self.group(down).shutdown();
        let n = keys.len();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let done = Arc::new(AtomicBool::new(false));
        for (k, v) in keys.iter().zip(values) {
            let ck1 = self.make_clerk();
            let (k, v, tx, done) = (k.clone(), v.clone(), tx.clone(), done.clone());
            sim::spawn(async move {
                let (got, _, _) = ck1.get(&k).await;
                if done.load(Ordering::SeqCst) {
                    return;
                }
                let msg = (got != v).then(|| format!("Get({k}): expected:\n{v}\nreceived:\n{got}"));
                let _ = tx.send(msg);
            });
        }
        let mut ndone = 0;
        while let Some(Some(wrong)) = within(NSEC, rx.recv()).await {
            if let Some(msg) = wrong {
                panic!("{msg}");
            }
            ndone += 1;
        }
        done.store(true, Ordering::SeqCst);
        assert!(
            ndone < n,
            "expected less than {n} completions with shard {down} down\n"
        );
        self.group(down).start_servers();
    }

    /// The course's `partitionCtrler`: a controller joins and leaves new groups in a loop;
    /// group `gid` is shut down so that it gets stuck mid-change, then it is cut off, the
    /// group restarts, and a new controller must finish its change. In Part C the old
    /// controller then comes back, and must do no harm. Every key must read at version 1.
    pub async fn partition_ctrler(
        self: &Arc<Self>,
        ck: &TestClerk<Clerk>,
        gid: Tgid,
        keys: &[String],
        values: &[String],
    ) {
        const RAND: u64 = 400;
        const NSEC: Duration = Duration::from_secs(1);
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        enum State {
            Idle,
            Join,
            Leave,
        }
        let (sck, clnt) = self.make_shard_ctrler_clnt();
        sck.init_controller().await;
        let num = self.shard_ctrler().query().await.num;
        let state = Arc::new(Mutex::new((State::Idle, 0)));
        {
            let (t, sck, state) = (self.clone(), sck.clone(), state.clone());
            sim::spawn(async move {
                loop {
                    let ngid = t.new_gid();
                    *state.lock().unwrap_or_else(|e| e.into_inner()) = (State::Join, ngid);
                    t.join_groups(&sck, &[ngid]).await;
                    if !t.check_member(&sck, ngid).await {
                        // Deposed.
                        return;
                    }
                    *state.lock().unwrap_or_else(|e| e.into_inner()) = (State::Leave, ngid);
                    t.leave_groups(&sck, &[ngid]).await;
                }
            });
        }
        let r = sim::rng(|r| r.random_range(0..RAND));
        sim::sleep(NSEC + Duration::from_millis(r)).await;
        self.group(gid).shutdown();
        sim::sleep(NSEC).await;
        clnt.disconnect_all();
        if self.partition {
            sim::sleep(NSEC).await;
        }
        self.group(gid).start_servers();
        let (sck0, clnt0) = self.make_shard_ctrler_clnt();
        sck0.init_controller().await;
        let cfg = sck0.query().await;
        assert!(
            cfg.num > num,
            "didn't recover; expected {} > {num}",
            cfg.num
        );
        let (state, ngid) = *state.lock().unwrap_or_else(|e| e.into_inner());
        let present = cfg.is_member(ngid);
        match (state, present) {
            (State::Join, false) => panic!("didn't recover {ngid} correctly after join"),
            (State::Leave, true) => panic!("didn't recover {ngid} correctly after leave"),
            (State::Join, true) => {
                self.leave_groups(&sck0, &[ngid]).await;
            }
            _ => {}
        }
        if self.partition {
            // The old controller comes back; it was overtaken, and must change nothing.
            clnt.connect_all();
            sim::sleep(Duration::from_millis(100)).await;
        }
        self.check_gets(ck, keys, values).await;
        self.cfg.delete_client(&clnt);
        self.cfg.delete_client(&clnt0);
    }

    /// The course's `concurCtrler`: four controllers, each a new one per round, join and
    /// leave new groups for 2 s; then every key must read at version 1.
    pub async fn concur_ctrler(
        self: &Arc<Self>,
        ck: &TestClerk<Clerk>,
        keys: &[String],
        values: &[String],
    ) {
        const NSEC: Duration = Duration::from_secs(2);
        const N: usize = 4;
        let stop = Stop::new();
        for _ in 0..N {
            let (t, stop) = (self.clone(), stop.clone());
            sim::spawn(async move {
                while !stop.stopped() {
                    let ngid = t.new_gid();
                    let sck = t.make_shard_ctrler();
                    sck.init_controller().await;
                    t.join_groups(&sck, &[ngid]).await;
                    if t.check_member(&sck, ngid).await {
                        t.leave_groups(&sck, &[ngid]).await;
                    }
                }
            });
        }
        sim::sleep(NSEC).await;
        for _ in 0..N {
            stop.stop().await;
        }
        self.check_gets(ck, keys, values).await;
    }

    /// The course's `concurrentClerk`: `nclnt` clients put to `k0` for 20 s while eight
    /// groups join and then leave; the history must be linearizable.
    pub async fn concurrent_clerk(self: &Arc<Self>, nclnt: usize) {
        const NSEC: Duration = Duration::from_secs(20);
        self.setup_kv_service().await;
        let keys = Arc::new(common::kvtest::make_keys(NKEYS));
        let clients = {
            let (ts, keys) = (self.ts.clone(), keys.clone());
            sim::spawn(async move {
                ts.spawn_clients_and_wait(nclnt, NSEC, move |ts, cli, ck, done| {
                    let keys = keys.clone();
                    async move { ts.one_client_put(cli, &ck, &keys, &done).await }
                })
                .await
            })
        };
        let sck = self.shard_ctrler();
        let grps = self.new_gids(NGRP);
        assert!(
            self.join_groups(&sck, &grps).await,
            "concurrentClerk: joinGroups failed"
        );
        assert!(
            self.leave_groups(&sck, &grps).await,
            "concurrentClerk: leaveGroups failed"
        );
        sim::waiting("the clients", clients)
            .await
            .expect("the clients");
        self.ts.check_porcupine();
    }

    /// The course's `partitionRecovery5C`: `npart` rounds of `partitionCtrler`; with
    /// `nclnt` clients putting to `k0` for 60 s meanwhile (then a linearizability check),
    /// or, with none, spread keys checked after each round.
    pub async fn partition_recovery(self: &Arc<Self>, npart: usize, nclnt: usize) {
        const NSEC: Duration = Duration::from_secs(60);
        let gid = self.setup_kv_service().await;
        let ck = self.make_clerk();
        let (keys, values) = if nclnt == 0 {
            self.spread_puts(&ck, NKEYS).await
        } else {
            (Vec::new(), Vec::new())
        };
        let clients = (nclnt > 0).then(|| {
            let ts = self.ts.clone();
            let keys = Arc::new(common::kvtest::make_keys(1));
            sim::spawn(async move {
                ts.spawn_clients_and_wait(nclnt, NSEC, move |ts, cli, ck, done| {
                    let keys = keys.clone();
                    async move { ts.one_client_put(cli, &ck, &keys, &done).await }
                })
                .await
            })
        });
        for _ in 0..npart {
            self.partition_ctrler(&ck, gid, &keys, &values).await;
        }
        if let Some(clients) = clients {
            sim::waiting("the clients", clients)
                .await
                .expect("the clients");
            self.ts.check_porcupine();
        }
    }
}
