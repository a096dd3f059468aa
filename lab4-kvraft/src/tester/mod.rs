//! The course's Lab 4 harness (`kvraft/config.go`): a cluster of KV servers on a simulated
//! network, crash and restart with persisted state, partitions, clerks with ends to every
//! server in random order, operation wrappers that count and record operations for the
//! linearizability check, and the course's summary line.
//!
//! Partitions change only the ends between servers: a clerk stays connected to every
//! server it was given, so it can reach a leader stranded in a minority, which must not
//! answer it. The tester is shared (`Arc`) by the test's client tasks and its partitioner,
//! so every method takes `&self`.

pub mod generic;

use crate::{Clerk, KvServer};
pub use common::kv_checks::check_client_appends;
use common::labrpc::Network;
use common::linearizability::Verdict;
use common::linearizability::kv::{KvHistory, KvModel};
use common::report;
use lab3_raft::tester::cluster::{ClientEnds, Cluster};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The course's `electionTimeout` of the KV tests.
pub const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);

/// The course's `linearizabilityCheckTimeout`, as a step budget.
pub const LINEARIZABILITY_CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// Server `i`'s name on the network.
pub fn server_name(i: usize) -> String {
    format!("kvserver-{i}")
}

lab3_raft::impl_replica!(KvServer);

/// A clerk made by the tester, with the names of its ends by server, so the tester can
/// connect and disconnect it.
pub struct Client {
    clerk: Clerk,
    ends: ClientEnds,
}

impl Client {
    /// The clerk, for tests that call it directly (unrecorded, as the course's speed test).
    pub fn clerk(&mut self) -> &mut Clerk {
        &mut self.clerk
    }

    /// The names of its ends, for [`Tester::connect_client`].
    pub fn ends(&self) -> ClientEnds {
        self.ends.clone()
    }
}

/// One test's cluster.
pub struct Tester {
    net: Network,
    cluster: Cluster<KvServer>,
    history: KvHistory,
    ops: AtomicU64,
    /// Virtual time and RPC count at [`Tester::begin`].
    baseline: report::Baseline,
}

impl Tester {
    /// The course's `make_config(t, n, unreliable, maxraftstate)`: `n` servers, all started
    /// and connected; `max_raft_state` `None` is the course's -1 (never snapshot).
    pub fn new(n: usize, unreliable: bool, max_raft_state: Option<usize>) -> Tester {
        let net = Network::new();
        let start = move |ends, me, persister| KvServer::start(ends, me, persister, max_raft_state);
        let t = Tester {
            cluster: Cluster::new(&net, n, server_name, Box::new(start)),
            net,
            history: KvHistory::new(),
            ops: AtomicU64::new(0),
            baseline: report::Baseline::default(),
        };
        for i in 0..n {
            t.cluster.start_server(i);
        }
        t.cluster.connect_all();
        t.net.set_reliable(!unreliable);
        t
    }

    /// The servers: crash, restart, partition, leader, log sizes.
    pub fn cluster(&self) -> &Cluster<KvServer> {
        &self.cluster
    }

    /// Number of servers.
    pub fn n(&self) -> usize {
        self.cluster.n()
    }

    /// Every server: the course's `All()`.
    pub fn all(&self) -> Vec<usize> {
        self.cluster.all()
    }

    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// The course's `makeClient(to)`: a clerk with new ends to every server, handed to it
    /// in random order, of which only those to `to` are enabled.
    pub fn make_client(&self, to: &[usize]) -> Client {
        let (handed, ends) = self.cluster.client_ends(to);
        Client {
            clerk: Clerk::new(handed),
            ends,
        }
    }

    /// The course's `ConnectClient`: enables the clerk's ends to `to`.
    pub fn connect_client(&self, client: &ClientEnds, to: &[usize]) {
        client.enable(&self.net, to, true);
    }

    /// The course's `DisconnectClient`: disables the clerk's ends to `from`.
    pub fn disconnect_client(&self, client: &ClientEnds, from: &[usize]) {
        client.enable(&self.net, from, false);
    }

    /// The course's `deleteClient`: removes the clerk's ends from the network.
    pub fn delete_client(&self, client: Client) {
        client.ends.delete(&self.net);
    }

    /// Prints the test's title and starts counting time, RPCs and operations.
    pub fn begin(&self, desc: &str) {
        report::begin(desc);
        tracing::info!(target: "harness", "{desc}");
        self.baseline.mark(&self.net);
        self.ops.store(0, Ordering::Relaxed);
    }

    /// Prints the course's `  ... Passed --` line.
    pub fn end(&self) {
        let ops = self.ops.load(Ordering::Relaxed);
        self.baseline.passed_kv(&self.net, self.cluster.n(), ops);
    }

    /// The course's `Get` wrapper: Get through `client`, counted and recorded as client
    /// `id`'s operation.
    pub async fn get(&self, client: &mut Client, key: &str, id: u64) -> String {
        let value = self.history.get(id, key, client.clerk.get(key)).await;
        tracing::debug!(target: "harness", client = id, key, value = %value, "get");
        self.ops.fetch_add(1, Ordering::Relaxed);
        value
    }

    /// The course's `Put` wrapper.
    pub async fn put(&self, client: &mut Client, key: &str, value: &str, id: u64) {
        let put = client.clerk.put(key, value);
        self.history.put(id, key, value, put).await;
        tracing::debug!(target: "harness", client = id, key, value, "put");
        self.ops.fetch_add(1, Ordering::Relaxed);
    }

    /// The course's `Append` wrapper.
    pub async fn append(&self, client: &mut Client, key: &str, value: &str, id: u64) {
        let append = client.clerk.append(key, value);
        self.history.append(id, key, value, append).await;
        tracing::debug!(target: "harness", client = id, key, value, "append");
        self.ops.fetch_add(1, Ordering::Relaxed);
    }

    /// The course's `check(cfg, t, ck, key, value)`: a recorded Get through `client` must
    /// read `want`.
    #[track_caller]
    pub fn check<'a>(
        &'a self,
        client: &'a mut Client,
        key: &'a str,
        want: &'a str,
        id: u64,
    ) -> impl std::future::Future<Output = ()> + 'a {
        let at = std::panic::Location::caller();
        async move {
            let got = self.get(client, key, id).await;
            assert!(
                got == want,
                "{at}: get({key:?}): expected:\n{want:?}\nreceived:\n{got:?}"
            );
        }
    }

    /// Fails the test unless the recorded history is linearizable (Labs 4 and 5's model:
    /// Append returns nothing). Consumes the recorded history; returns the verdict and the
    /// number of operations checked.
    pub fn check_linearizable(&self) -> (Verdict, usize) {
        self.history
            .assert_linearizable(&KvModel::new(), LINEARIZABILITY_CHECK_TIMEOUT)
    }

    /// Clerk operations through the wrappers since [`Tester::begin`].
    pub fn ops(&self) -> u64 {
        self.ops.load(Ordering::Relaxed)
    }

    /// Kills every server, for the end of a test (their tasks would otherwise run until the
    /// world ends).
    pub fn cleanup(&self) {
        self.cluster.cleanup();
    }
}
