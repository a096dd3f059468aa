//! The course's Lab 3 harness (`raft/config.go`): a cluster of Raft peers on a simulated
//! network, crash and restart with persisted state, connect and disconnect, and the checks
//! the tests build on (`one`, `n_committed`, `check_one_leader`, ...).
//!
//! Every peer's applied commands are checked as they arrive: two peers applying different
//! commands at one index, or a peer applying out of order, fails the test at once (the
//! course's `log.Fatalf("apply error")`), as a panic that fails the simulated world.
//!
//! As in the course, each peer's apply channel holds at most one message (the course's is
//! unbuffered; capacity 1 is the closest Tokio has), the snapshot applier calls
//! [`Raft::snapshot`] from the task that reads the channel, and a crashed peer's applier
//! keeps reading its channel: what a killed instance still delivers is checked too. Each
//! applier checks the order of its own instance's messages, so a late message of a killed
//! instance is judged against what that instance applied, not its successor.

mod applied;
pub mod checks;
pub mod cluster;
mod harness;
pub mod scenarios;

use crate::Raft;
pub use applied::AppliedLogs;
use applied::{applier, applier_snap};
pub use checks::Peers;
use cluster::{Cluster, Replica};
use common::ApplyMsg;
use common::labrpc::{Network, Service};
use common::persister::Persister;
use common::report::{self, Summary};
use common::sim;
pub use harness::{Edition, RaftHarness};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// The course's `RaftElectionTimeout`: tests wait this long for an election to settle.
pub const RAFT_ELECTION_TIMEOUT: Duration = Duration::from_millis(1000);

/// A command as the tests make them: a number, encoded.
pub fn cmd(n: u64) -> Vec<u8> {
    n.to_le_bytes().to_vec()
}

/// A command for messages: the number if it is one, else its length and first bytes.
pub fn show_cmd(command: &[u8]) -> String {
    match <[u8; 8]>::try_from(command) {
        Ok(bytes) => u64::from_le_bytes(bytes).to_string(),
        Err(_) => format!(
            "<{} bytes {:02x?}…>",
            command.len(),
            &command[..command.len().min(8)]
        ),
    }
}

/// The course's `SnapShotInterval`: with snapshots on, a peer's applier snapshots after
/// each index `i` with `(i + 1) % 10 == 0`.
pub const SNAPSHOT_INTERVAL: u64 = 10;

/// The course's `MAXLOGSIZE`: the 3D tests fail if a persisted Raft state reaches it.
pub const MAX_LOG_SIZE: usize = 2000;

/// What a peer's Raft is given in place of its persister: the harness's own tests use it
/// to run a mistaken Raft (one that forgets its snapshot, say) and show that the course
/// tests catch it.
pub type WrapPersister = Arc<dyn Fn(Arc<dyn Persister>) -> Arc<dyn Persister> + Send + Sync>;

/// One test's cluster: the shared [`Cluster`] of Raft peers, and what their appliers
/// record.
pub struct Tester {
    cluster: Cluster<Raft>,
    applied: AppliedLogs,
    baseline: report::Baseline,
    max_index_at_start: u64,
}

/// Peer `i`'s server name on the network.
pub fn server_name(i: usize) -> String {
    format!("raft-{i}")
}

impl Replica for Raft {
    fn services(&self) -> Vec<Service> {
        vec![self.service()]
    }

    fn raft(&self) -> &Raft {
        self
    }

    fn kill(&self) {
        Raft::kill(self);
    }
}

impl Tester {
    /// The course's `make_config(t, n, unreliable, false)`: `n` peers, all connected, on a
    /// network with long delays for dead ends.
    pub fn new(n: usize, unreliable: bool) -> Tester {
        Tester::build(n, unreliable, false, None)
    }

    /// The course's `make_config(t, n, unreliable, true)`: as [`Tester::new`], but every
    /// peer's applier snapshots every [`SNAPSHOT_INTERVAL`] entries.
    pub fn with_snapshots(n: usize, unreliable: bool) -> Tester {
        Tester::build(n, unreliable, true, None)
    }

    /// As [`Tester::new`] or [`Tester::with_snapshots`], but each peer's Raft gets
    /// `wrap(persister)` instead of its persister, while the tester itself reads the
    /// persister as it is (for the harness's own tests; see [`WrapPersister`]).
    pub fn with_wrapped_persisters(
        n: usize,
        unreliable: bool,
        snapshots: bool,
        wrap: WrapPersister,
    ) -> Tester {
        Tester::build(n, unreliable, snapshots, Some(wrap))
    }

    fn build(n: usize, unreliable: bool, snapshots: bool, wrap: Option<WrapPersister>) -> Tester {
        let net = Network::new();
        net.set_reliable(!unreliable);
        net.set_long_delays(true);
        let applied = AppliedLogs::new(n);
        let start = {
            let applied = applied.clone();
            move |ends, i, persister: Arc<dyn Persister>| {
                start_peer(ends, i, persister, &applied, snapshots, wrap.as_ref())
            }
        };
        let t = Tester {
            cluster: Cluster::new(&net, n, server_name, Box::new(start)),
            applied,
            baseline: report::Baseline::default(),
            max_index_at_start: 0,
        };
        for i in 0..n {
            t.cluster.start_server(i);
        }
        for i in 0..n {
            t.cluster.connect(i);
        }
        t
    }

    fn applied(&self) -> std::sync::MutexGuard<'_, applied::Applied> {
        self.applied.lock()
    }

    /// Beyond the course, for the extra tests: from now on, a snapshot that a peer
    /// delivers behind what that instance has already applied fails the test. The
    /// course's applier accepts it, but a service that installs it goes back in time (the
    /// entries after it are applied a second time); Raft must ignore a snapshot older than
    /// what it has applied (Figure 13, checklist G19).
    pub fn forbid_rollback(&self) {
        self.applied().forbid_rollback = true;
    }

    /// Beyond the course, for the extra tests: peer `i`'s applier snapshots every `every`
    /// entries instead of every [`SNAPSHOT_INTERVAL`] (with snapshots on). With other
    /// intervals on other peers, a leader's snapshot ends where a follower's does not, as
    /// it does under a service that snapshots by size (Lab 4).
    ///
    /// # Panics
    /// If `every` is 0.
    pub fn set_snapshot_interval(&self, i: usize, every: u64) {
        assert!(every > 0, "a snapshot interval of 0 entries");
        self.applied().intervals[i] = every;
    }

    /// Number of peers.
    pub fn n(&self) -> usize {
        self.cluster.n()
    }

    /// The network.
    pub fn net(&self) -> &Network {
        self.cluster.net()
    }

    /// Peer `i`'s Raft, if it is running.
    pub fn raft(&self, i: usize) -> Option<Raft> {
        self.cluster.server(i)
    }

    /// Whether peer `i` is connected.
    pub fn is_connected(&self, i: usize) -> bool {
        self.cluster.is_connected(i)
    }

    /// The course's `crash1`: disconnect peer `i`, delete its server so in-flight calls to
    /// it fail, keep a copy of what it had persisted for a restart, and kill it. Its
    /// applier keeps reading the channel until the killed instance drops it.
    pub fn crash1(&mut self, i: usize) {
        self.cluster.shutdown_server(i);
    }

    /// The course's `start1`: (re)start peer `i` with new ends (connected to the other
    /// peers' servers but disabled until [`Tester::connect`]) and a copy of its persisted
    /// state.
    pub fn start1(&mut self, i: usize) {
        self.crash1(i);
        self.cluster.start_server(i);
    }

    /// Starts the task that reads and checks what instance `raft` of peer `i` applies,
    /// until the instance drops its end of the channel (a crash does not stop it).
    #[cfg(test)]
    fn spawn_applier(
        &self,
        i: usize,
        apply_rx: mpsc::Receiver<ApplyMsg>,
        raft: &Raft,
        last_applied: u64,
    ) {
        spawn_applier(i, apply_rx, &self.applied, false, raft, last_applied);
    }

    /// The course's `connect(i)`: enables `i`'s ends to connected peers and theirs to `i`.
    pub fn connect(&mut self, i: usize) {
        self.cluster.connect(i);
    }

    /// The course's `disconnect(i)`: disables all of `i`'s ends and every end to `i`.
    pub fn disconnect(&mut self, i: usize) {
        self.cluster.disconnect(i);
    }

    /// The course's `LogSize`: the largest persisted Raft state of any peer.
    pub fn log_size(&self) -> usize {
        self.cluster.log_size()
    }

    /// RPCs delivered to peer `i`.
    pub fn rpc_count(&self, i: usize) -> u64 {
        self.net().count(&server_name(i))
    }

    /// RPCs sent on the network so far.
    pub fn rpc_total(&self) -> u64 {
        self.net().total_count()
    }

    /// Bytes sent on the network so far.
    pub fn bytes_total(&self) -> u64 {
        self.net().total_bytes()
    }

    /// The network loses and delays messages, or not.
    pub fn set_unreliable(&self, unreliable: bool) {
        self.net().set_reliable(!unreliable);
    }

    /// The network holds back most replies for a long time, or not.
    pub fn set_long_reordering(&self, on: bool) {
        self.net().set_long_reordering(on);
    }

    /// Prints the test's title and starts counting time, RPCs, bytes and commands.
    pub fn begin(&mut self, desc: &str) {
        report::begin(desc);
        tracing::info!(target: "harness", "{desc}");
        self.baseline.mark(self.net());
        let max_index = self.applied().max_index;
        self.max_index_at_start = max_index;
    }

    /// Prints the course's `  ... Passed --` line.
    pub fn end(&self) {
        report::passed(Summary::Raft {
            time: self.baseline.elapsed(),
            peers: self.n(),
            rpcs: self.baseline.rpcs(self.net()),
            bytes: self.baseline.bytes(self.net()),
            cmds: self.applied().max_index - self.max_index_at_start,
        });
    }

    /// Kills every peer (the course's `cleanup`).
    pub fn cleanup(&mut self) {
        self.cluster.cleanup();
    }
}

/// Starts instance `i` of a peer from `persister`: the tester records what its snapshot
/// holds as applied (as a service restoring it would), then starts its Raft and the
/// applier that reads its channel. Both editions' testers start their peers so.
pub fn start_peer(
    ends: Vec<common::labrpc::ClientEnd>,
    i: usize,
    persister: Arc<dyn Persister>,
    applied: &AppliedLogs,
    snapshots: bool,
    wrap: Option<&WrapPersister>,
) -> Raft {
    let snapshot = persister.read_snapshot();
    let last_applied = if snapshot.is_empty() {
        0
    } else {
        applied.lock().ingest(i, &snapshot, None)
    };
    let (apply_tx, apply_rx) = mpsc::channel(1);
    sim::report_channel(format!("peer {i}'s apply channel"), &apply_tx);
    let persister = match wrap {
        Some(wrap) => wrap(persister),
        None => persister,
    };
    let raft = Raft::new(ends, i, persister, apply_tx);
    spawn_applier(i, apply_rx, applied, snapshots, &raft, last_applied);
    raft
}

/// Starts the task that reads and checks what instance `raft` of peer `i` applies, until
/// the instance drops its end of the channel (a crash does not stop it).
fn spawn_applier(
    i: usize,
    apply_rx: mpsc::Receiver<ApplyMsg>,
    applied: &AppliedLogs,
    snapshots: bool,
    raft: &Raft,
    last_applied: u64,
) {
    let applied = applied.clone();
    if snapshots {
        sim::spawn(applier_snap(
            i,
            apply_rx,
            applied,
            raft.clone(),
            last_applied,
        ));
    } else {
        sim::spawn(applier(i, apply_rx, applied));
    }
}

impl Peers for Tester {
    fn n(&self) -> usize {
        self.cluster.n()
    }

    fn is_connected(&self, i: usize) -> bool {
        self.cluster.is_connected(i)
    }

    fn raft(&self, i: usize) -> Option<Raft> {
        self.cluster.server(i)
    }

    fn applied_logs(&self) -> &AppliedLogs {
        &self.applied
    }
}

impl RaftHarness for Tester {
    const EDITION: Edition = Edition::Y2024;

    fn make(n: usize, reliable: bool, snapshot: bool) -> Tester {
        Tester::build(n, !reliable, snapshot, None)
    }

    fn begin(&mut self, desc: &str) {
        Tester::begin(self, desc);
    }

    fn end(&self) {
        Tester::end(self);
    }

    fn connect(&mut self, i: usize) {
        Tester::connect(self, i);
    }

    fn disconnect(&mut self, i: usize) {
        Tester::disconnect(self, i);
    }

    /// The course's `crash1`.
    fn crash(&mut self, i: usize) {
        self.crash1(i);
    }

    /// The course's `start1` and `connect`.
    fn restart(&mut self, i: usize) {
        self.start1(i);
        Tester::connect(self, i);
    }

    fn rpc_count(&self, i: usize) -> u64 {
        Tester::rpc_count(self, i)
    }

    fn bytes_total(&self) -> u64 {
        Tester::bytes_total(self)
    }

    fn raft_size(&self) -> usize {
        self.log_size()
    }

    fn set_reliable(&self, reliable: bool) {
        self.set_unreliable(!reliable);
    }

    fn set_long_reordering(&self, on: bool) {
        Tester::set_long_reordering(self, on);
    }
}

/// The checks ([`checks`]), as methods.
impl Tester {
    /// The course's `checkOneLeader`: see [`checks::check_one_leader`].
    pub async fn check_one_leader(&self) -> usize {
        checks::check_one_leader(self).await
    }

    /// The course's `checkTerms`: see [`checks::check_terms`].
    #[track_caller]
    pub fn check_terms(&self) -> u64 {
        checks::check_terms(self)
    }

    /// The course's `checkNoLeader`: see [`checks::check_no_leader`].
    #[track_caller]
    pub fn check_no_leader(&self) {
        checks::check_no_leader(self)
    }

    /// The course's `nCommitted`: see [`checks::n_committed`].
    pub fn n_committed(&self, index: u64) -> (usize, Option<Vec<u8>>) {
        checks::n_committed(self, index)
    }

    /// The course's `wait`: see [`checks::wait`].
    pub async fn wait(&self, index: u64, n: usize, start_term: Option<u64>) -> Option<Vec<u8>> {
        checks::wait(self, index, n, start_term).await
    }

    /// The course's `one`: see [`checks::one`].
    pub async fn one(&self, command: Vec<u8>, expected: usize, retry: bool) -> u64 {
        checks::one(self, command, expected, retry).await
    }
}

impl Drop for Tester {
    fn drop(&mut self) {
        self.cleanup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::sim::Builder;

    /// What a crashed instance still delivers is checked, as the course's applier keeps
    /// reading a killed Raft's channel: here peer 0's instance, as a Raft whose `kill`
    /// does not stop its deliveries, applies a command that contradicts the others after
    /// its crash.
    #[test]
    fn a_killed_instances_late_apply_is_still_checked() {
        let failure = Builder::new()
            .seed(1)
            .try_run(|| async {
                let mut t = Tester::new(3, false);
                t.one(cmd(1), 3, false).await;
                let (apply_tx, apply_rx) = mpsc::channel(1);
                let raft = t.raft(0).expect("peer 0 runs");
                t.spawn_applier(0, apply_rx, &raft, 0);
                t.crash1(0);
                let late = ApplyMsg::Command {
                    index: 1,
                    term: 1,
                    command: cmd(666),
                };
                apply_tx.send(late).await.expect("the applier still reads");
                sim::sleep(RAFT_ELECTION_TIMEOUT).await;
            })
            .expect_err("a contradicting late apply must fail the test");
        assert!(
            failure
                .message
                .contains("apply error: commit index=1 server=0 666 != server=0 1"),
            "{}",
            failure.message
        );
    }
}
