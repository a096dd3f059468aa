//! The course's shardkv harness (`shardkv/config.go`): one controller service of 3
//! replicas, 3 replica groups (gids 100, 101, 102) of 3 servers each on the same
//! network, `make_end` for ends to any server by name, servers and whole groups shut down
//! and restarted, joins and leaves through a controller clerk, `checklogs`, the value
//! checks of the tests, recorded operations for the linearizability check, and the
//! course's 120 s limit (in virtual time).

use crate::config::Config;
use crate::ctrler::{self, ShardCtrler};
use crate::shardkv::ends::MakeEnd;
use crate::shardkv::{Clerk, ShardKv};
use common::labrpc::Network;
use common::linearizability::Verdict;
use common::linearizability::kv::{KvHistory, KvModel};
use common::report;
use common::sim;
use lab3_raft::tester::cluster::Cluster;
use lab4_kvraft::tester::LINEARIZABILITY_CHECK_TIMEOUT;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every critical section is one assignment or read.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The groups' gids: `GIDS[gi]` is group `gi`'s.
pub const GIDS: [u64; 3] = [100, 101, 102];

/// Servers per group, and controller replicas.
pub const SERVERS: usize = 3;

/// The course's limit on a test's duration (checked at the end, in virtual time).
pub const TEST_LIMIT: Duration = Duration::from_secs(120);

lab3_raft::impl_replica!(ShardKv);

type CtrlerEnds = Arc<std::sync::Mutex<Vec<Vec<Vec<String>>>>>;

/// One shardkv test's world.
pub struct Tester {
    net: Network,
    ctrlers: Cluster<ShardCtrler>,
    groups: Vec<Cluster<ShardKv>>,
    /// The tester's own controller clerk, for joins and leaves.
    ctrler_clerk: Mutex<ctrler::Clerk>,
    max_raft_state: Option<usize>,
    make_end: MakeEnd,
    /// `ctrler_ends[gi][i]`: the names of the ends server `i` of group `gi` was started
    /// with to the controllers (the course's `mendnames`), disabled when it shuts down.
    ctrler_ends: CtrlerEnds,
    history: KvHistory,
    /// Virtual time at [`Tester::begin`].
    started: std::sync::Mutex<Duration>,
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
        let ctrler_ends: CtrlerEnds =
            Arc::new(std::sync::Mutex::new(vec![
                vec![Vec::new(); SERVERS];
                GIDS.len()
            ]));
        let groups = GIDS
            .iter()
            .enumerate()
            .map(|(gi, &gid)| {
                let (network, make_end) = (net.clone(), make_end.clone());
                let ctrler_names = ctrlers.names().to_vec();
                let ctrler_ends = ctrler_ends.clone();
                let start = move |ends, me: usize, persister| {
                    // Its ends to the controllers are enabled at once, as the course's.
                    let to_ctrlers = network.make_ends_to(&ctrler_names);
                    for end in &to_ctrlers {
                        network.enable(end.name(), true);
                    }
                    lock(&ctrler_ends)[gi][me] =
                        to_ctrlers.iter().map(|e| e.name().to_string()).collect();
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
                .with_group(gid.to_string())
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
            ctrler_ends,
            history: KvHistory::new(),
            started: std::sync::Mutex::new(sim::now()),
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
        for i in 0..SERVERS {
            self.start_server(gi, i);
        }
    }

    /// The course's `StartServer(gi, i)`: starts server `i` of group `gi` with its ends
    /// enabled (the course's shardkv servers start connected). Only its own ends, and the
    /// running servers' ends to it, are enabled: a dead server's stay disabled.
    pub fn start_server(&self, gi: usize, i: usize) {
        self.groups[gi].start_server(i);
        self.groups[gi].connect_server(i);
    }

    /// The course's `ShutdownServer(gi, i)`: as [`Cluster::shutdown_server`], and its
    /// ends to the controllers are disabled too, so nothing it could still send reaches
    /// anyone.
    pub fn shutdown_server(&self, gi: usize, i: usize) {
        self.groups[gi].shutdown_server(i);
        for name in &lock(&self.ctrler_ends)[gi][i] {
            self.net.enable(name, false);
        }
    }

    /// The names of the ends server `i` of group `gi` has to its group and to the
    /// controllers (for the harness's own tests of what a shutdown disables).
    pub fn end_names_of(&self, gi: usize, i: usize) -> Vec<String> {
        let mut names = self.groups[gi].end_names_of(i);
        names.extend(lock(&self.ctrler_ends)[gi][i].iter().cloned());
        names
    }

    /// The course's `ShutdownGroup(gi)`.
    pub fn shutdown_group(&self, gi: usize) {
        for i in 0..SERVERS {
            self.shutdown_server(gi, i);
        }
    }

    /// The course's `join(gi)`: group `gi` joins through the controller.
    pub async fn join(&self, gi: usize) {
        self.join_many(&[gi]).await;
    }

    /// The course's `joinm(gis)`: the groups join in one configuration change.
    pub async fn join_many(&self, gis: &[usize]) {
        let gids: Vec<u64> = gis.iter().map(|&gi| GIDS[gi]).collect();
        tracing::info!(target: "harness", ?gids, "join");
        let joining = gis
            .iter()
            .map(|&gi| (GIDS[gi], self.groups[gi].names().to_vec()))
            .collect();
        self.ctrler_clerk.lock().await.join(joining).await;
    }

    /// The course's `leave(gi)`.
    pub async fn leave(&self, gi: usize) {
        self.leave_many(&[gi]).await;
    }

    /// The course's `leavem(gis)`: the groups leave in one configuration change.
    pub async fn leave_many(&self, gis: &[usize]) {
        let gids: Vec<u64> = gis.iter().map(|&gi| GIDS[gi]).collect();
        tracing::info!(target: "harness", ?gids, "leave");
        self.ctrler_clerk.lock().await.leave(gids).await;
    }

    /// The controller's latest configuration.
    pub async fn query(&self) -> Config {
        self.ctrler_clerk.lock().await.query(-1).await
    }

    /// A Get through `ck`, recorded as client `id`'s operation for
    /// [`Tester::check_linearizable`].
    pub async fn get(&self, ck: &mut Clerk, key: &str, id: u64) -> String {
        self.history.get(id, key, ck.get(key)).await
    }

    /// A recorded Put.
    pub async fn put(&self, ck: &mut Clerk, key: &str, value: &str, id: u64) {
        self.history.put(id, key, value, ck.put(key, value)).await;
    }

    /// A recorded Append.
    pub async fn append(&self, ck: &mut Clerk, key: &str, value: &str, id: u64) {
        self.history
            .append(id, key, value, ck.append(key, value))
            .await;
    }

    /// Fails the test unless the recorded history is linearizable; returns the verdict
    /// and the number of operations checked.
    pub fn check_linearizable(&self) -> (Verdict, usize) {
        self.history
            .assert_linearizable(&KvModel::new(), LINEARIZABILITY_CHECK_TIMEOUT)
    }

    /// The configuration number each group's servers reached (the highest among its
    /// running servers; 0 if none runs).
    pub fn group_configs(&self) -> Vec<u64> {
        self.groups
            .iter()
            .map(|group| {
                (0..SERVERS)
                    .filter_map(|i| group.server(i))
                    .map(|server| server.config().num)
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Beyond the course, for the extra tests: a running server of group `gi` whose Raft
    /// believes it leads.
    pub fn group_leader(&self, gi: usize) -> Option<usize> {
        self.groups[gi].leader()
    }

    /// Raft state plus snapshots, summed over every server of every group (challenge 1).
    pub fn persisted_total(&self) -> usize {
        self.groups.iter().map(Cluster::persisted_total).sum()
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

    /// Prints a test's title and starts its clock.
    pub fn begin(&self, desc: &str) {
        report::begin(desc);
        tracing::info!(target: "harness", "{desc}");
        *self.started.lock().unwrap_or_else(|e| e.into_inner()) = sim::now();
    }

    /// Fails the test if it took longer than [`TEST_LIMIT`], else prints the course's
    /// `  ... Passed`, with the virtual time and RPCs the course's shardkv tests leave out.
    pub fn end(&self) {
        let took = sim::now() - *self.started.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            took <= TEST_LIMIT,
            "test took longer than 120 seconds ({took:?})"
        );
        println!(
            "  ... Passed -- {:4.1}s {} groups, {} RPCs",
            took.as_secs_f64(),
            GIDS.len(),
            self.net.total_count()
        );
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
    let (prefix, group) = (prefix.to_string(), prefix.to_string());
    let ctrlers = Cluster::new(
        net,
        SERVERS,
        move |i| format!("{prefix}-{i}"),
        Box::new(ShardCtrler::start),
    )
    .with_group(group);
    for i in 0..SERVERS {
        ctrlers.start_server(i);
    }
    ctrlers.connect_all();
    ctrlers
}

/// A random string of `n` letters and digits (the course's `randstring(n)`).
pub fn random_string(n: usize) -> String {
    sim::random_string(sim::ALPHANUMERIC, n)
}

/// The tests' keys "0", "1", ... and the value each must hold (the course's `ka`, `va`).
#[derive(Debug, Clone)]
pub struct Keys {
    /// The keys.
    pub keys: Vec<String>,
    /// `values[i]`: what `keys[i]` must hold.
    pub values: Vec<String>,
}

impl Keys {
    /// Puts `n` keys with random values of `len` characters through `ck`.
    pub async fn put(ck: &mut Clerk, n: usize, len: usize) -> Keys {
        Keys::put_with(ck, n, || random_string(len)).await
    }

    /// Puts `n` keys, all with `value`, through `ck`.
    pub async fn put_value(ck: &mut Clerk, n: usize, value: &str) -> Keys {
        Keys::put_with(ck, n, || value.to_string()).await
    }

    async fn put_with(ck: &mut Clerk, n: usize, value: impl Fn() -> String) -> Keys {
        let keys: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        let mut values = Vec::new();
        for key in &keys {
            let v = value();
            ck.put(key, &v).await;
            values.push(v);
        }
        Keys { keys, values }
    }

    /// Checks every key.
    #[track_caller]
    pub fn check_all<'a>(&'a self, ck: &'a mut Clerk) -> impl Future<Output = ()> + 'a {
        self.check(ck, 0..self.keys.len())
    }

    /// Checks keys `which`, in order.
    #[track_caller]
    pub fn check<'a>(
        &'a self,
        ck: &'a mut Clerk,
        which: impl IntoIterator<Item = usize> + 'a,
    ) -> impl Future<Output = ()> + 'a {
        let at = Location::caller();
        async move {
            for i in which {
                self.check_at(ck, i, at).await;
            }
        }
    }

    /// The tests' "check+append" on keys `which`, in order: check the key, then append
    /// `len` random characters to it.
    #[track_caller]
    pub fn check_append<'a>(
        &'a mut self,
        ck: &'a mut Clerk,
        which: impl IntoIterator<Item = usize> + 'a,
        len: usize,
    ) -> impl Future<Output = ()> + 'a {
        let at = Location::caller();
        async move {
            for i in which {
                self.check_at(ck, i, at).await;
                let x = random_string(len);
                ck.append(&self.keys[i], &x).await;
                self.values[i].push_str(&x);
            }
        }
    }

    /// The course's `check`: a Get of key `i` must read its value.
    async fn check_at(&self, ck: &mut Clerk, i: usize, at: &Location<'_>) {
        let (key, want) = (&self.keys[i], &self.values[i]);
        let got = ck.get(key).await;
        assert!(
            &got == want,
            "{at}: Get({key:?}): expected:\n{want:?}\nreceived:\n{got:?}"
        );
    }
}

/// The concurrent tests' appenders: one task per key, each with its own clerk, appending
/// random strings until told to stop.
pub struct Appenders {
    done: Arc<std::sync::atomic::AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<String>>,
}

impl Appenders {
    /// Starts an appender per key of `keys`: each appends `len` random characters, then
    /// sleeps `pause` (if any), until [`Appenders::finish`].
    pub fn start(t: &Tester, keys: &Keys, len: usize, pause: Option<Duration>) -> Appenders {
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let tasks = keys
            .keys
            .iter()
            .map(|key| {
                let mut ck = t.make_client(t.ctrlers());
                let (key, done) = (key.clone(), done.clone());
                tokio::spawn(async move {
                    let mut appended = String::new();
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        let x = random_string(len);
                        ck.append(&key, &x).await;
                        appended.push_str(&x);
                        if let Some(pause) = pause {
                            sim::sleep(pause).await;
                        }
                    }
                    appended
                })
            })
            .collect();
        Appenders { done, tasks }
    }

    /// Tells every appender to stop after its current Append.
    pub fn finish(&self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Waits for every appender to stop ([`Appenders::finish`] first), and adds what each
    /// appended to its key's expected value.
    ///
    /// # Panics
    /// If an appender panicked.
    pub async fn wait(self, keys: &mut Keys) {
        for (i, task) in self.tasks.into_iter().enumerate() {
            let appended = task.await.expect("appender panicked");
            keys.values[i].push_str(&appended);
        }
    }
}
