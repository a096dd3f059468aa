//! [`ServerGrp`]: one group of servers (the course's `tester1/group.go` and `srv.go`).
//!
//! A crash follows the course's `ShutdownServer`: disconnect the server, delete it from
//! the network (calls in flight fail, late replies are dropped), checkpoint what it
//! persisted, then stop it abruptly: every task it owns stops at once. A restart makes a
//! new server on new ends, from the checkpoint, and leaves it disconnected.

use crate::labrpc::{ClientEnd, Network, Server, Service};
use crate::links::Links;
use crate::persister::{MemPersister, Persister};
use crate::sim;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// What a group's start function returns: a running server, as the tester sees it.
pub trait Daemon: Clone + Send + Sync + 'static {
    /// The services to register on its RPC server.
    fn services(&self) -> Vec<Service>;
}

/// Starts server `me` of group `gid`, given its ends to every server of the group (its
/// own included, in server order) and its persister: the course's daemon start function
/// (`StartKVServer`, `NewRfsrv`, ...).
pub type StartServer<S> =
    Box<dyn Fn(Vec<ClientEnd>, u64, usize, Arc<dyn Persister>) -> S + Send + Sync>;

/// Server `i` of group `gid`'s name: `server-<gid>-<i>` (`ServerName`).
pub fn server_name(gid: u64, i: usize) -> String {
    format!("server-{gid}-{i}")
}

/// One run of a server, from its start to its crash: what the tester's control calls
/// to it wait on besides their answer.
#[derive(Default)]
struct Life {
    over: AtomicBool,
    ended: Notify,
}

impl Life {
    fn end(&self) {
        self.over.store(true, Ordering::SeqCst);
        self.ended.notify_waiters();
    }

    async fn ended(&self) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if self.over.load(Ordering::SeqCst) {
                return;
            }
            ended.await;
        }
    }
}

struct Members<S> {
    servers: Vec<Option<(S, Arc<Life>)>>,
    links: Links,
    /// Each server's persister: the one it runs with, or its checkpoint once crashed.
    saved: Vec<MemPersister>,
}

/// A group of `n` servers. Shared by a test's tasks: every method takes `&self`.
pub struct ServerGrp<S: Daemon> {
    net: Network,
    gid: u64,
    names: Vec<String>,
    start: StartServer<S>,
    members: Mutex<Members<S>>,
}

impl<S: Daemon> ServerGrp<S> {
    /// Group `gid` of `n` servers on `net`, none started.
    pub fn new(net: &Network, gid: u64, n: usize, start: StartServer<S>) -> ServerGrp<S> {
        ServerGrp {
            net: net.clone(),
            gid,
            names: (0..n).map(|i| server_name(gid, i)).collect(),
            start,
            members: Mutex::new(Members {
                servers: vec![None; n],
                links: Links::new(net, n),
                saved: (0..n).map(|_| MemPersister::new()).collect(),
            }),
        }
    }

    /// Notes a fault on the timeline of a failed test's page.
    fn note(&self, what: String) {
        sim::timeline::note(
            sim::timeline::Lane::Faults,
            format!("group {} {what}", self.gid),
        );
    }

    fn members(&self) -> MutexGuard<'_, Members<S>> {
        self.members.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The group's id.
    pub fn gid(&self) -> u64 {
        self.gid
    }

    /// Number of servers (`N`).
    pub fn n(&self) -> usize {
        self.names.len()
    }

    /// Every server index.
    pub fn all(&self) -> Vec<usize> {
        (0..self.n()).collect()
    }

    /// The servers' names, in order (`SrvNames`).
    pub fn srv_names(&self) -> &[String] {
        &self.names
    }

    /// Server `i`'s name (`SrvName`).
    pub fn srv_name(&self, i: usize) -> &str {
        &self.names[i]
    }

    /// The names of the servers in `list` (`SrvNamesTo`).
    pub fn srv_names_to(&self, list: &[usize]) -> Vec<String> {
        list.iter().map(|&i| self.names[i].clone()).collect()
    }

    /// Server `i`, if running.
    pub fn server(&self, i: usize) -> Option<S> {
        self.members().servers[i].as_ref().map(|(s, _)| s.clone())
    }

    /// A control call to server `i` (the course's calls over a daemon's socket: `Start`,
    /// `Submit`, a counter): not through the network, so never lost or partitioned, but
    /// it fails (`None`) if the server is not running, or crashes before `call` is done.
    pub async fn control<T, Fut>(&self, i: usize, call: impl FnOnce(S) -> Fut) -> Option<T>
    where
        Fut: Future<Output = T>,
    {
        let (server, life) = self.members().servers[i].clone()?;
        tokio::select! {
            biased;
            () = life.ended() => None,
            out = call(server) => Some(out),
        }
    }

    /// Starts server `i` from its checkpoint, on new ends, disconnected (`StartServer`).
    pub fn start_server(&self, i: usize) {
        let mut members = self.members();
        let ends = self.net.make_ends_to(&self.names);
        members
            .links
            .set_ends(i, ends.iter().map(|e| e.name().to_string()).collect());
        // A copy: whatever a crashed predecessor still holds is not this one's.
        members.saved[i] = members.saved[i].copy();
        let persister = Arc::new(members.saved[i].clone());
        tracing::info!(target: "harness", gid = self.gid, peer = i, "start server");
        self.note(format!("start server {i}"));
        let _span = sim::server_span(Some(&self.gid.to_string()), i).entered();
        let server = (self.start)(ends, self.gid, i, persister);
        let rpc_server = Server::new();
        for service in server.services() {
            rpc_server.add_service(service);
        }
        self.net.add_server(&self.names[i], rpc_server);
        members.servers[i] = Some((server, Arc::new(Life::default())));
    }

    /// Starts the servers in `list` (`StartSrvs`).
    pub fn start_srvs(&self, list: &[usize]) {
        for &i in list {
            self.start_server(i);
        }
    }

    /// Starts and connects every server (`StartServers`).
    pub fn start_servers(&self) {
        self.start_srvs(&self.all());
        self.connect_all();
    }

    /// Crashes server `i` (`ShutdownServer`): see the module documentation.
    pub fn shutdown_server(&self, i: usize) {
        let mut members = self.members();
        members.links.disconnect(i);
        self.net.delete_server(&self.names[i]);
        let Some((server, life)) = members.servers[i].take() else {
            return;
        };
        life.end();
        tracing::info!(target: "harness", gid = self.gid, peer = i, "shut down server");
        self.note(format!("shut down server {i}"));
        members.saved[i] = members.saved[i].copy();
        let label = sim::server_span(Some(&self.gid.to_string()), i);
        let stopped = sim::kill_server_tasks(label.label(), &self.names[i]);
        tracing::debug!(target: "harness", gid = self.gid, peer = i, stopped, "killed");
        drop(server);
    }

    /// Crashes the servers in `list` (`Kill`).
    pub fn kill(&self, list: &[usize]) {
        for &i in list {
            self.shutdown_server(i);
        }
    }

    /// Crashes every server (`Shutdown`).
    pub fn shutdown(&self) {
        self.kill(&self.all());
    }

    /// Whether server `i` is connected (`IsConnected`).
    pub fn is_connected(&self, i: usize) -> bool {
        self.members().links.is_connected(i)
    }

    /// Every server's connected flag (`GetConnected`).
    pub fn get_connected(&self) -> Vec<bool> {
        self.members().links.connected().to_vec()
    }

    /// Connects server `i` to every connected server (`ConnectOne`).
    pub fn connect_one(&self, i: usize) {
        tracing::info!(target: "harness", gid = self.gid, peer = i, "connect");
        self.note(format!("connect {i}"));
        self.members().links.connect(i);
    }

    /// Cuts server `i` off from every server (`DisconnectAll`).
    pub fn disconnect_all(&self, i: usize) {
        tracing::info!(target: "harness", gid = self.gid, peer = i, "disconnect");
        self.note(format!("disconnect {i}"));
        self.members().links.disconnect(i);
    }

    /// Connects every server to every other (`ConnectAll`).
    pub fn connect_all(&self) {
        tracing::info!(target: "harness", gid = self.gid, "connect all");
        self.note("connect all".to_string());
        self.members().links.connect_all();
    }

    /// Servers talk within their side only (`Partition`); every server counts as
    /// connected afterwards.
    pub fn partition(&self, p1: &[usize], p2: &[usize]) {
        tracing::info!(target: "harness", gid = self.gid, ?p1, ?p2, "partition");
        self.note(format!("partition {p1:?} | {p2:?}"));
        self.members().links.partition(p1, p2);
    }

    /// A majority without `l` and a minority with `l` last (`MakePartition`).
    pub fn make_partition(&self, l: usize) -> (Vec<usize>, Vec<usize>) {
        let n = self.n();
        let others: Vec<usize> = (0..n).filter(|&i| i != l).collect();
        let p1 = others[..n / 2 + 1].to_vec();
        let mut p2 = others[n / 2 + 1..].to_vec();
        p2.push(l);
        (p1, p2)
    }

    /// Requests delivered to server `i` (`RpcCount`).
    pub fn rpc_count(&self, i: usize) -> u64 {
        self.net.count(&self.names[i])
    }

    /// The largest persisted Raft state over the group (`RaftSize`).
    pub fn raft_size(&self) -> usize {
        self.largest(|p| p.raft_state_size())
    }

    /// The largest persisted snapshot over the group (`SnapshotSize`).
    pub fn snapshot_size(&self) -> usize {
        self.largest(|p| p.snapshot_size())
    }

    fn largest(&self, size: impl Fn(&MemPersister) -> usize) -> usize {
        self.members().saved.iter().map(size).max().unwrap_or(0)
    }
}
