//! [`Cluster`]: the part of the course's testers (`raft`, `kvraft`, `shardctrler` and
//! `shardkv` `config.go`) that manages one replicated service: `n` replicas on a simulated
//! network, their ends and persisters, crash and restart, connections and partitions, and
//! who leads.
//!
//! It is generic over the replica ([`Replica`]), so Lab 3's Raft peers, Lab 4's KV servers
//! and Lab 5's controllers and shard groups share one harness. A replica is started by a
//! function the test supplies, given its ends to its peers, its index and its persister.
//!
//! A crash follows the course's order in every lab: disconnect, delete the RPC server (so
//! calls in flight fail), copy the persister, then kill; a restart gets a copy too, so a
//! killed predecessor still holding the old persister changes nothing.

use crate::Raft;
use common::labrpc::{ClientEnd, Network, Server, Service};
use common::links::Links;
use common::persister::{MemPersister, Persister};
use common::sim::{self, RngExt};
use std::sync::{Arc, Mutex, MutexGuard};

/// A replica of a Raft-backed service, as a tester drives it.
pub trait Replica: Clone + Send + Sync + 'static {
    /// The services to register on its RPC server (its own and `Raft`).
    fn services(&self) -> Vec<Service>;
    /// Its Raft peer.
    fn raft(&self) -> &Raft;
    /// Stops it.
    fn kill(&self);
}

/// Implements [`Replica`] for a server type through its own `services`, `raft` and
/// `kill` methods (every service of Labs 4 and 5 has them, as DESIGN.md fixes).
#[macro_export]
macro_rules! impl_replica {
    ($server:ty) => {
        impl $crate::tester::cluster::Replica for $server {
            fn services(&self) -> Vec<::common::labrpc::Service> {
                <$server>::services(self)
            }

            fn raft(&self) -> &$crate::Raft {
                <$server>::raft(self)
            }

            fn kill(&self) {
                <$server>::kill(self);
            }
        }
    };
}

/// Starts replica `me` with its ends to its peers (in peer order) and its persister.
pub type StartReplica<S> =
    Box<dyn Fn(Vec<ClientEnd>, usize, Arc<dyn Persister>) -> S + Send + Sync>;

/// The names of a client's ends, by replica: `0[i]` is the end to replica `i`. Cheap to
/// clone, so a test can reconnect a clerk that a task of its own is using.
#[derive(Debug, Clone)]
pub struct ClientEnds(Arc<[String]>);

impl ClientEnds {
    /// Enables (or disables) the ends to the replicas in `which`.
    pub fn enable(&self, net: &Network, which: &[usize], enabled: bool) {
        for &i in which {
            net.enable(&self.0[i], enabled);
        }
    }

    /// Removes the ends from the network.
    pub fn delete(&self, net: &Network) {
        for name in self.0.iter() {
            net.delete_end(name);
        }
    }
}

/// One replicated service's servers. Every method takes `&self`: a test's tasks share it.
pub struct Cluster<S: Replica> {
    net: Network,
    n: usize,
    names: Vec<String>,
    start: StartReplica<S>,
    members: Mutex<Members<S>>,
    /// The replica group's label in the logs (`None`: the only group).
    group: Option<String>,
}

struct Members<S> {
    servers: Vec<Option<S>>,
    /// Which replicas reach which (the course's Lab 3 `connected[i]`, and the ends).
    links: Links,
    /// Each server's persister: the one it runs with, or what survived its crash.
    saved: Vec<MemPersister>,
}

impl<S: Replica> Cluster<S> {
    /// `n` replicas named `names(i)` on `net`, none started yet.
    pub fn new(
        net: &Network,
        n: usize,
        names: impl Fn(usize) -> String,
        start: StartReplica<S>,
    ) -> Cluster<S> {
        Cluster {
            net: net.clone(),
            n,
            names: (0..n).map(names).collect(),
            start,
            members: Mutex::new(Members {
                servers: vec![None; n],
                links: Links::new(net, n),
                saved: (0..n).map(|_| MemPersister::new()).collect(),
            }),
            group: None,
        }
    }

    /// Labels the replicas' logs with `group` (for services of several groups).
    pub fn with_group(mut self, group: impl Into<String>) -> Cluster<S> {
        self.group = Some(group.into());
        self
    }

    /// Notes a fault on the timeline of a failed test's page.
    fn note(&self, what: String) {
        let text = match &self.group {
            Some(g) => format!("group {g} {what}"),
            None => what,
        };
        sim::timeline::note(sim::timeline::Lane::Faults, text);
    }

    fn members(&self) -> MutexGuard<'_, Members<S>> {
        self.members.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of replicas.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Every replica: the course's `All()`.
    pub fn all(&self) -> Vec<usize> {
        (0..self.n).collect()
    }

    /// Replica `i`'s server name on the network.
    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }

    /// The server names, in replica order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Replica `i`, if running.
    pub fn server(&self, i: usize) -> Option<S> {
        self.members().servers[i].clone()
    }

    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// Whether replica `i` is connected (see [`Cluster::connect`]).
    pub fn is_connected(&self, i: usize) -> bool {
        self.members().links.is_connected(i)
    }

    /// The course's Lab 3 `connect(i)`: enables `i`'s ends to the connected replicas and
    /// theirs to `i`.
    pub fn connect(&self, i: usize) {
        tracing::info!(target: "harness", group = self.group.as_deref(), peer = i, "connect");
        self.note(format!("connect {i}"));
        self.members().links.connect(i);
    }

    /// The course's Lab 3 `disconnect(i)`: disables all of `i`'s ends and every end to `i`.
    pub fn disconnect(&self, i: usize) {
        let mut members = self.members();
        if members.links.is_connected(i) {
            tracing::info!(target: "harness", group = self.group.as_deref(), peer = i, "disconnect");
            self.note(format!("disconnect {i}"));
        }
        members.links.disconnect(i);
    }

    /// The course's `ConnectAll`: every replica can reach every other.
    pub fn connect_all(&self) {
        tracing::info!(target: "harness", group = self.group.as_deref(), "connect all");
        self.note("connect all".to_string());
        self.members().links.connect_all();
    }

    /// The course's shardkv `StartServer` connections: enables replica `i`'s ends to every
    /// replica, and those of the running replicas to it. The ends of replicas that are shut
    /// down stay disabled, so a restart never revives a dead server's ends.
    pub fn connect_server(&self, i: usize) {
        tracing::info!(target: "harness", group = self.group.as_deref(), peer = i, "connect server");
        self.note(format!("connect server {i}"));
        let mut members = self.members();
        members.links.set_connected(i, true);
        for j in self.all() {
            self.net.enable(&members.links.end_names(i)[j], true);
            if members.servers[j].is_some()
                && let Some(name) = members.links.end_names(j).get(i)
            {
                self.net.enable(name, true);
            }
        }
    }

    /// The names of replica `i`'s ends to its peers, in peer order (for the harness's own
    /// tests of what a shutdown disables).
    pub fn end_names_of(&self, i: usize) -> Vec<String> {
        self.members().links.end_names(i).to_vec()
    }

    /// The course's `partition(p1, p2)`: replicas talk within their group only.
    pub fn partition(&self, p1: &[usize], p2: &[usize]) {
        tracing::info!(target: "harness", group = self.group.as_deref(), ?p1, ?p2, "partition");
        self.note(format!("partition {p1:?} | {p2:?}"));
        self.members().links.partition(p1, p2);
    }

    /// The course's `ShutdownServer(i)` (Lab 3's `crash1`): disconnect it, delete its RPC
    /// server so calls in flight fail, keep a copy of what it persisted, and kill it.
    pub fn shutdown_server(&self, i: usize) {
        let mut members = self.members();
        if members.servers[i].is_some() {
            tracing::info!(target: "harness", group = self.group.as_deref(), peer = i, "shut down server");
            self.note(format!("shut down server {i}"));
        }
        members.links.disconnect(i);
        // Delete first: a killed server must not acknowledge a write it saved in the old
        // persister (the course's order).
        self.net.delete_server(&self.names[i]);
        members.saved[i] = members.saved[i].copy();
        if let Some(server) = members.servers[i].take() {
            let _span = sim::server_span(self.group.as_deref(), i).entered();
            server.kill();
        }
    }

    /// The course's `StartServer(i)`: a new replica on new ends (disabled until
    /// [`Cluster::connect_all`] or a partition enables them) and a copy of what it
    /// persisted.
    pub fn start_server(&self, i: usize) {
        let mut members = self.members();
        let ends = self.net.make_ends_to(&self.names);
        members
            .links
            .set_ends(i, ends.iter().map(|e| e.name().to_string()).collect());
        // A copy, so a killed predecessor still holding the old one changes nothing.
        members.saved[i] = members.saved[i].copy();
        let persister = Arc::new(members.saved[i].clone());
        tracing::info!(target: "harness", group = self.group.as_deref(), peer = i, "start server");
        self.note(format!("start server {i}"));
        let _span = sim::server_span(self.group.as_deref(), i).entered();
        let server = (self.start)(ends, i, persister);
        let rpc_server = Server::new();
        for service in server.services() {
            rpc_server.add_service(service);
        }
        self.net.add_server(&self.names[i], rpc_server);
        members.servers[i] = Some(server);
    }

    /// The course's `Leader()`: a replica whose Raft believes it leads.
    pub fn leader(&self) -> Option<usize> {
        let members = self.members();
        (0..self.n).find(|&i| {
            members.servers[i]
                .as_ref()
                .is_some_and(|s| s.raft().get_state().1)
        })
    }

    /// The course's `make_partition()`: a majority `p1` and a minority `p2` (of `n/2`
    /// replicas) that holds the current leader (replica 0 if none is known).
    pub fn make_partition(&self) -> (Vec<usize>, Vec<usize>) {
        let leader = self.leader().unwrap_or(0);
        let others: Vec<usize> = (0..self.n).filter(|&i| i != leader).collect();
        let majority = self.n / 2 + 1;
        let p1 = others[..majority].to_vec();
        let mut p2 = others[majority..].to_vec();
        p2.push(leader);
        (p1, p2)
    }

    /// New ends to every replica for a client, in random order (a clerk must not assume
    /// its end `i` leads to replica `i`), with only those to `to` enabled; and their names
    /// by replica, to connect and disconnect them later.
    pub fn client_ends(&self, to: &[usize]) -> (Vec<ClientEnd>, ClientEnds) {
        let mut handed = self.net.make_ends_to(&self.names);
        let names = ClientEnds(handed.iter().map(|e| e.name().to_string()).collect());
        names.enable(&self.net, to, true);
        // Fisher-Yates with the world's RNG.
        for k in (1..handed.len()).rev() {
            let j = sim::rng(|r| r.random_range(0..=k));
            handed.swap(k, j);
        }
        (handed, names)
    }

    /// The course's `LogSize()`: the largest persisted Raft state.
    pub fn log_size(&self) -> usize {
        self.largest(|p| p.raft_state_size())
    }

    /// The course's `SnapshotSize()`: the largest persisted snapshot.
    pub fn snapshot_size(&self) -> usize {
        self.largest(|p| p.snapshot_size())
    }

    /// Raft state plus snapshot, summed over every replica's persister (challenge 1's
    /// measure of what a group stores).
    pub fn persisted_total(&self) -> usize {
        self.members()
            .saved
            .iter()
            .map(|p| p.raft_state_size() + p.snapshot_size())
            .sum()
    }

    fn largest(&self, size: impl Fn(&MemPersister) -> usize) -> usize {
        self.members().saved.iter().map(size).max().unwrap_or(0)
    }

    /// Kills every replica (at the end of a test: their tasks would otherwise run until
    /// the world ends).
    pub fn cleanup(&self) {
        for (i, server) in self.members().servers.iter().enumerate() {
            if let Some(server) = server {
                let _span = sim::server_span(self.group.as_deref(), i).entered();
                server.kill();
            }
        }
    }
}
