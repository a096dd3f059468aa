//! The course's Lab 2 harness (`kvsrv/config.go`): one server on a fresh network, clerks
//! on ends with random names, operation wrappers that count operations and record them
//! for the linearizability check, and the course's summary line.

use crate::{Clerk, KvServer};
pub use common::kv_checks::check_client_appends;
use common::labrpc::{Network, Server};
use common::linearizability::kv::{KvHistory, KvModel};
use common::report::{self, Summary};
use common::sim;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The server's name on the network.
const SERVER: &str = "server-0";

/// The course's `linearizabilityCheckTimeout`, as a step budget.
pub const LINEARIZABILITY_CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// One test's network, server and history.
pub struct Tester {
    /// The network, for tests that count RPCs or change reliability.
    pub net: Network,
    server: KvServer,
    ops: Arc<AtomicU64>,
    history: KvHistory,
    started: Duration,
    rpcs_at_start: u64,
}

impl Tester {
    /// A fresh network (reliable unless `unreliable`) with one server.
    pub fn new(unreliable: bool) -> Tester {
        let net = Network::new();
        net.set_reliable(!unreliable);
        let server = KvServer::new();
        let rpc_server = Server::new();
        rpc_server.add_service(server.service());
        net.add_server(SERVER, rpc_server);
        Tester {
            net,
            server,
            ops: Arc::new(AtomicU64::new(0)),
            history: KvHistory::new(),
            started: Duration::ZERO,
            rpcs_at_start: 0,
        }
    }

    /// The server, for tests that look at its state.
    pub fn server(&self) -> &KvServer {
        &self.server
    }

    /// A clerk on a new, connected, enabled end.
    pub fn make_client(&self) -> Clerk {
        let ends = self.net.make_ends_to([SERVER]);
        let end = ends.into_iter().next().expect("one end per server");
        self.net.enable(end.name(), true);
        Clerk::new(end)
    }

    /// Deletes the clerk's end from the network.
    pub fn delete_client(&self, clerk: Clerk) {
        self.net.delete_end(clerk.end().name());
    }

    /// Prints the test's title and starts counting time, RPCs and operations.
    pub fn begin(&mut self, desc: &str) {
        report::begin(desc);
        self.started = sim::now();
        self.rpcs_at_start = self.net.total_count();
        self.ops.store(0, Ordering::Relaxed);
    }

    /// Prints the course's `  ... Passed --` line.
    pub fn end(&self) {
        report::passed(Summary::KvSrv {
            time: sim::now() - self.started,
            rpcs: self.net.total_count() - self.rpcs_at_start,
            ops: self.ops.load(Ordering::Relaxed),
        });
    }

    /// Get through `clerk`, counted and recorded as client `client`'s.
    pub async fn get(&self, clerk: &Clerk, key: &str, client: u64) -> String {
        let value = self.history.get(client, key, clerk.get(key)).await;
        self.ops.fetch_add(1, Ordering::Relaxed);
        value
    }

    /// Put through `clerk`, counted and recorded.
    pub async fn put(&self, clerk: &mut Clerk, key: &str, value: &str, client: u64) {
        let put = clerk.put(key, value);
        self.history.put(client, key, value, put).await;
        self.ops.fetch_add(1, Ordering::Relaxed);
    }

    /// Append through `clerk`, counted and recorded with the old value it returned.
    pub async fn append(&self, clerk: &mut Clerk, key: &str, value: &str, client: u64) -> String {
        let append = clerk.append(key, value);
        let old = self
            .history
            .append_returning_old(client, key, value, append)
            .await;
        self.ops.fetch_add(1, Ordering::Relaxed);
        old
    }

    /// Fails the test unless the recorded history is linearizable (Lab 2's model: Append
    /// returns the old value). Consumes the recorded history.
    pub fn check_linearizable(&self) {
        self.history.assert_linearizable(
            &KvModel::append_returns_old(),
            LINEARIZABILITY_CHECK_TIMEOUT,
        );
    }
}
