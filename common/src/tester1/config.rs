//! [`Config`]: one 2026 test's network, its counts, and the lines it prints (the course's
//! `tester1/config.go`).

use super::Clnt;
use crate::labrpc::Network;
use crate::report::{self, Baseline, Summary};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// One test's network and counts. Shared by a test's tasks: every method takes `&self`.
pub struct Config {
    net: Network,
    ops: AtomicU64,
    baseline: Baseline,
    clients: Mutex<Vec<Clnt>>,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    /// A fresh, reliable network with no servers (make the groups, then set the network's
    /// reliability last, as `MakeConfig` does).
    pub fn new() -> Config {
        let net = Network::new();
        let baseline = Baseline::default();
        baseline.mark(&net);
        Config {
            net,
            ops: AtomicU64::new(0),
            baseline,
            clients: Mutex::new(Vec::new()),
        }
    }

    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// Whether the network is reliable now (`IsReliable`).
    pub fn is_reliable(&self) -> bool {
        self.net.is_reliable()
    }

    /// Makes the network reliable or not (`SetReliable`).
    pub fn set_reliable(&self, reliable: bool) {
        self.net.set_reliable(reliable);
    }

    /// A client that may reach every server (`MakeClient`).
    pub fn make_client(&self) -> Clnt {
        let clnt = Clnt::new(&self.net, None);
        self.lock_clients().push(clnt.clone());
        clnt
    }

    /// A client that may reach only the servers named in `to` (`MakeClientTo`).
    pub fn make_client_to(&self, to: &[String]) -> Clnt {
        let clnt = Clnt::new(&self.net, Some(to));
        self.lock_clients().push(clnt.clone());
        clnt
    }

    /// Removes a client's ends from the network (`DeleteClient`).
    pub fn delete_client(&self, clnt: &Clnt) {
        clnt.delete();
        self.lock_clients().retain(|c| !c.same(clnt));
    }

    fn lock_clients(&self) -> std::sync::MutexGuard<'_, Vec<Clnt>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds one to the operation count (`OpInc`).
    pub fn op_inc(&self) {
        self.ops.fetch_add(1, Ordering::Relaxed);
    }

    /// The operation count since [`Config::begin`].
    pub fn ops(&self) -> u64 {
        self.ops.load(Ordering::Relaxed)
    }

    /// RPCs sent since [`Config::begin`].
    pub fn rpc_total(&self) -> u64 {
        self.baseline.rpcs(&self.net)
    }

    /// Bytes sent since [`Config::begin`].
    pub fn bytes_total(&self) -> u64 {
        self.net.total_bytes()
    }

    /// Prints `<desc> (reliable network)...` for the network as it is now, and starts
    /// counting time, RPCs and operations (`Begin`).
    pub fn begin(&self, desc: &str) {
        report::begin_on(desc, self.net.is_reliable());
        tracing::info!(target: "harness", "{desc}");
        self.baseline.mark(&self.net);
        self.ops.store(0, Ordering::Relaxed);
    }

    /// Prints the passed line, `peers` being group 0's size (`End`).
    pub fn end(&self, peers: usize) {
        report::passed(Summary::Tester1 {
            time: self.baseline.elapsed(),
            peers,
            rpcs: self.baseline.rpcs(&self.net),
            ops: self.ops(),
        });
    }

    /// Removes every client's ends (the first step of `Cleanup`).
    pub fn delete_clients(&self) {
        for clnt in self.lock_clients().drain(..) {
            clnt.delete();
        }
    }
}
