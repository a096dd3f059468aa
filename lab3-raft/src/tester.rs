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

use crate::Raft;
use common::ApplyMsg;
use common::labrpc::{Network, Server};
use common::persister::{MemPersister, Persister};
use common::report::{self, Summary};
use common::sim::{self, RngExt};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
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

/// What the appliers record, shared with their tasks.
#[derive(Default)]
struct Applied {
    /// Per peer: the commands it applied, by index. Kept across restarts, as the course's,
    /// and replaced by the contents of a snapshot when one is installed.
    logs: Vec<BTreeMap<u64, Vec<u8>>>,
    /// The highest index any peer applied.
    max_index: u64,
    /// Beyond the course ([`Tester::forbid_rollback`]): a snapshot behind what the
    /// instance already applied fails the test.
    forbid_rollback: bool,
    /// Per peer, every how many entries its applier snapshots (the course's
    /// [`SNAPSHOT_INTERVAL`] unless [`Tester::set_snapshot_interval`] changed it).
    intervals: Vec<u64>,
}

impl Applied {
    /// The course's `checkLogs`: records peer `i`'s command at `index`, failing on a
    /// different command from another peer there.
    fn check_and_record(&mut self, i: usize, index: u64, command: Vec<u8>) {
        for (j, log) in self.logs.iter().enumerate() {
            if let Some(old) = log.get(&index) {
                assert!(
                    *old == command,
                    "apply error: commit index={index} server={i} {} != server={j} {}",
                    show_cmd(&command),
                    show_cmd(old)
                );
            }
        }
        self.logs[i].insert(index, command);
        self.max_index = self.max_index.max(index);
    }

    /// The tester's snapshot of peer `i` through `index`: the index, then every command
    /// from 1 through it (the course's encoding of `lastIncludedIndex` and the log).
    fn snapshot(&self, i: usize, index: u64) -> Vec<u8> {
        let commands: Vec<&Vec<u8>> = (1..=index)
            .map(|k| {
                self.logs[i]
                    .get(&k)
                    .unwrap_or_else(|| panic!("server {i} snapshots {index} without entry {k}"))
            })
            .collect();
        common::codec::encode(&(index, commands))
            .unwrap_or_else(|e| panic!("encoding a snapshot: {e}"))
    }

    /// The course's `ingestSnap`: replaces peer `i`'s applied commands by a snapshot's;
    /// returns the last index it holds.
    fn ingest(&mut self, i: usize, snapshot: &[u8], index: Option<u64>) -> u64 {
        let (last, commands): (u64, Vec<Vec<u8>>) = common::codec::decode(snapshot)
            .unwrap_or_else(|e| panic!("apply error: server {i} snapshot does not decode: {e}"));
        if let Some(index) = index {
            assert_eq!(
                last, index,
                "server {i} snapshot doesn't match m.SnapshotIndex"
            );
        }
        self.logs[i] = BTreeMap::new();
        for (k, command) in (1..).zip(commands) {
            self.check_and_record(i, k, command);
        }
        last
    }
}

/// What a peer's Raft is given in place of its persister: the harness's own tests use it
/// to run a mistaken Raft (one that forgets its snapshot, say) and show that the course
/// tests catch it.
pub type WrapPersister = Arc<dyn Fn(MemPersister) -> Arc<dyn Persister> + Send + Sync>;

/// One test's cluster.
pub struct Tester {
    net: Network,
    n: usize,
    rafts: Vec<Option<Raft>>,
    saved: Vec<Option<MemPersister>>,
    /// `end_names[i][j]`: the end peer `i` uses to call peer `j`.
    end_names: Vec<Vec<String>>,
    connected: Vec<bool>,
    /// Peers snapshot every [`SNAPSHOT_INTERVAL`] entries (the course's `applierSnap`).
    snapshots: bool,
    wrap: Option<WrapPersister>,
    applied: Arc<Mutex<Applied>>,
    started: Duration,
    rpcs_at_start: u64,
    bytes_at_start: u64,
    max_index_at_start: u64,
}

/// Peer `i`'s server name on the network.
pub fn server_name(i: usize) -> String {
    format!("raft-{i}")
}

impl Tester {
    /// The course's `make_config(t, n, unreliable, false)`: `n` peers, all connected, on a
    /// network with long delays for dead ends.
    pub fn new(n: usize, unreliable: bool) -> Tester {
        Tester::build(n, unreliable, false)
    }

    /// The course's `make_config(t, n, unreliable, true)`: as [`Tester::new`], but every
    /// peer's applier snapshots every [`SNAPSHOT_INTERVAL`] entries.
    pub fn with_snapshots(n: usize, unreliable: bool) -> Tester {
        Tester::build(n, unreliable, true)
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
        Tester::build_with(n, unreliable, snapshots, Some(wrap))
    }

    fn build(n: usize, unreliable: bool, snapshots: bool) -> Tester {
        Tester::build_with(n, unreliable, snapshots, None)
    }

    fn build_with(
        n: usize,
        unreliable: bool,
        snapshots: bool,
        wrap: Option<WrapPersister>,
    ) -> Tester {
        let net = Network::new();
        net.set_reliable(!unreliable);
        net.set_long_delays(true);
        let mut t = Tester {
            net,
            n,
            rafts: vec![None; n],
            saved: vec![None; n],
            end_names: vec![Vec::new(); n],
            connected: vec![false; n],
            snapshots,
            wrap,
            applied: Arc::new(Mutex::new(Applied {
                logs: vec![BTreeMap::new(); n],
                max_index: 0,
                forbid_rollback: false,
                intervals: vec![SNAPSHOT_INTERVAL; n],
            })),
            started: Duration::ZERO,
            rpcs_at_start: 0,
            bytes_at_start: 0,
            max_index_at_start: 0,
        };
        for i in 0..n {
            t.start1(i);
        }
        for i in 0..n {
            t.connect(i);
        }
        t
    }

    fn applied(&self) -> MutexGuard<'_, Applied> {
        self.applied.lock().unwrap_or_else(|e| e.into_inner())
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
        self.n
    }

    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }

    /// Peer `i`'s Raft, if it is running.
    pub fn raft(&self, i: usize) -> Option<&Raft> {
        self.rafts[i].as_ref()
    }

    /// Whether peer `i` is connected.
    pub fn is_connected(&self, i: usize) -> bool {
        self.connected[i]
    }

    /// The course's `crash1`: disconnect peer `i`, delete its server so in-flight calls to
    /// it fail, kill it, and keep a copy of what it had persisted for a restart.
    pub fn crash1(&mut self, i: usize) {
        if self.rafts[i].is_some() {
            tracing::info!(target: "harness", peer = i, "crash");
        }
        self.disconnect(i);
        self.net.delete_server(&server_name(i));
        if let Some(raft) = self.rafts[i].take() {
            // After kill nothing more is written, so the copy holds all it saved.
            let _span = sim::server_span(None, i).entered();
            raft.kill();
        }
        // Its applier keeps reading the channel until the killed instance drops it.
        if let Some(saved) = &self.saved[i] {
            self.saved[i] = Some(saved.copy());
        }
    }

    /// The course's `start1`: (re)start peer `i` with new ends (connected to the other
    /// peers' servers but disabled until [`Tester::connect`]) and a copy of its persisted
    /// state.
    pub fn start1(&mut self, i: usize) {
        self.crash1(i);
        let ends = self.net.make_ends_to((0..self.n).map(server_name));
        self.end_names[i] = ends.iter().map(|e| e.name().to_string()).collect();
        let persister = match &self.saved[i] {
            Some(saved) => saved.copy(),
            None => MemPersister::new(),
        };
        self.saved[i] = Some(persister.clone());
        // Like a service restoring its state: what the snapshot holds is applied.
        let last_applied = {
            let snapshot = persister.read_snapshot();
            if snapshot.is_empty() {
                0
            } else {
                self.applied().ingest(i, &snapshot, None)
            }
        };
        tracing::info!(target: "harness", peer = i, "start");
        let _span = sim::server_span(None, i).entered();
        let (apply_tx, apply_rx) = mpsc::channel(1);
        sim::report_channel(format!("peer {i}'s apply channel"), &apply_tx);
        let persister: Arc<dyn Persister> = match &self.wrap {
            Some(wrap) => wrap(persister),
            None => Arc::new(persister),
        };
        let raft = Raft::new(ends, i, persister, apply_tx);
        self.spawn_applier(i, apply_rx, &raft, last_applied);
        let server = Server::new();
        server.add_service(raft.service());
        self.net.add_server(&server_name(i), server);
        self.rafts[i] = Some(raft);
    }

    /// Starts the task that reads and checks what instance `raft` of peer `i` applies,
    /// until the instance drops its end of the channel (a crash does not stop it).
    fn spawn_applier(
        &self,
        i: usize,
        apply_rx: mpsc::Receiver<ApplyMsg>,
        raft: &Raft,
        last_applied: u64,
    ) {
        let applied = self.applied.clone();
        if self.snapshots {
            tokio::spawn(applier_snap(
                i,
                apply_rx,
                applied,
                raft.clone(),
                last_applied,
            ));
        } else {
            tokio::spawn(applier(i, apply_rx, applied));
        }
    }

    /// The course's `connect(i)`: enables `i`'s ends to connected peers and theirs to `i`.
    pub fn connect(&mut self, i: usize) {
        tracing::info!(target: "harness", peer = i, "connect");
        self.connected[i] = true;
        for j in 0..self.n {
            if self.connected[j] {
                self.net.enable(&self.end_names[i][j], true);
                self.net.enable(&self.end_names[j][i], true);
            }
        }
    }

    /// The course's `disconnect(i)`: disables all of `i`'s ends and every end to `i`.
    pub fn disconnect(&mut self, i: usize) {
        if self.connected[i] {
            tracing::info!(target: "harness", peer = i, "disconnect");
        }
        self.connected[i] = false;
        for j in 0..self.n {
            if let Some(name) = self.end_names[i].get(j) {
                self.net.enable(name, false);
            }
            if let Some(name) = self.end_names[j].get(i) {
                self.net.enable(name, false);
            }
        }
    }

    /// The course's `LogSize`: the largest persisted Raft state of any peer.
    pub fn log_size(&self) -> usize {
        self.saved
            .iter()
            .flatten()
            .map(|p| p.raft_state_size())
            .max()
            .unwrap_or(0)
    }

    /// RPCs delivered to peer `i`.
    pub fn rpc_count(&self, i: usize) -> u64 {
        self.net.count(&server_name(i))
    }

    /// RPCs sent on the network so far.
    pub fn rpc_total(&self) -> u64 {
        self.net.total_count()
    }

    /// Bytes sent on the network so far.
    pub fn bytes_total(&self) -> u64 {
        self.net.total_bytes()
    }

    /// The network loses and delays messages, or not.
    pub fn set_unreliable(&self, unreliable: bool) {
        self.net.set_reliable(!unreliable);
    }

    /// The network holds back most replies for a long time, or not.
    pub fn set_long_reordering(&self, on: bool) {
        self.net.set_long_reordering(on);
    }

    /// Prints the test's title and starts counting time, RPCs, bytes and commands.
    pub fn begin(&mut self, desc: &str) {
        report::begin(desc);
        tracing::info!(target: "harness", "{desc}");
        self.started = sim::now();
        self.rpcs_at_start = self.rpc_total();
        self.bytes_at_start = self.bytes_total();
        let max_index = self.applied().max_index;
        self.max_index_at_start = max_index;
    }

    /// Prints the course's `  ... Passed --` line.
    pub fn end(&self) {
        report::passed(Summary::Raft {
            time: sim::now() - self.started,
            peers: self.n,
            rpcs: self.rpc_total() - self.rpcs_at_start,
            bytes: self.bytes_total() - self.bytes_at_start,
            cmds: self.applied().max_index - self.max_index_at_start,
        });
    }

    /// The course's `checkOneLeader`: up to ten times, waits 450–549 ms and asks every
    /// connected peer; fails if a term has two leaders; returns a leader of the latest
    /// term that has one, or fails if none turns up in about five seconds.
    pub async fn check_one_leader(&self) -> usize {
        for _ in 0..10 {
            let ms = sim::rng(|r| r.random_range(450..550));
            sim::sleep(Duration::from_millis(ms)).await;
            let mut leaders: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
            for i in (0..self.n).filter(|&i| self.connected[i]) {
                if let Some(raft) = &self.rafts[i] {
                    let (term, leader) = raft.get_state();
                    if leader {
                        leaders.entry(term).or_default().push(i);
                    }
                }
            }
            for (term, peers) in &leaders {
                assert!(
                    peers.len() <= 1,
                    "term {term} has {} (>1) leaders",
                    peers.len()
                );
            }
            if let Some((_, peers)) = leaders.last_key_value() {
                return peers[0];
            }
        }
        panic!("expected one leader, got none");
    }

    /// The course's `checkTerms`: every connected peer is in the same term; returns it.
    #[track_caller]
    pub fn check_terms(&self) -> u64 {
        let mut term = None;
        for i in (0..self.n).filter(|&i| self.connected[i]) {
            if let Some(raft) = &self.rafts[i] {
                let (t, _) = raft.get_state();
                match term {
                    None => term = Some(t),
                    Some(other) => assert_eq!(other, t, "servers disagree on term"),
                }
            }
        }
        term.unwrap_or(0)
    }

    /// The course's `checkNoLeader`: no connected peer thinks it leads.
    #[track_caller]
    pub fn check_no_leader(&self) {
        for i in (0..self.n).filter(|&i| self.connected[i]) {
            if let Some(raft) = &self.rafts[i] {
                assert!(
                    !raft.get_state().1,
                    "expected no leader among connected servers, but {i} claims to be leader"
                );
            }
        }
    }

    /// The course's `nCommitted`: how many peers applied `index`, and the command there
    /// (they all agree, or the applier would have failed the test).
    pub fn n_committed(&self, index: u64) -> (usize, Option<Vec<u8>>) {
        let applied = self.applied();
        let mut count = 0;
        let mut command: Option<Vec<u8>> = None;
        for (i, log) in applied.logs.iter().enumerate() {
            if let Some(c) = log.get(&index) {
                if let Some(seen) = &command {
                    assert_eq!(
                        seen, c,
                        "committed values do not match: index {index}, server {i}"
                    );
                }
                count += 1;
                command = Some(c.clone());
            }
        }
        (count, command)
    }

    /// The course's `wait`: waits (up to about 30 s) until at least `n` peers applied
    /// `index`; returns its command, or `None` if some peer moved past `start_term` (the
    /// caller retries).
    pub async fn wait(&self, index: u64, n: usize, start_term: Option<u64>) -> Option<Vec<u8>> {
        let mut pause = Duration::from_millis(10);
        for _ in 0..30 {
            let (nd, _) = self.n_committed(index);
            if nd >= n {
                break;
            }
            sim::sleep(pause).await;
            if pause < Duration::from_secs(1) {
                pause *= 2;
            }
            if let Some(start_term) = start_term {
                let moved_on = self
                    .rafts
                    .iter()
                    .flatten()
                    .any(|r| r.get_state().0 > start_term);
                if moved_on {
                    return None;
                }
            }
        }
        let (nd, command) = self.n_committed(index);
        assert!(nd >= n, "only {nd} decided for index {index}; wanted {n}");
        command
    }

    /// The course's `one`: submits `command` through whichever connected peer accepts it,
    /// and waits for `expected` peers to apply it; with `retry`, resubmits if that takes
    /// over 2 s; fails after 10 s. Returns the index.
    pub async fn one(&self, command: Vec<u8>, expected: usize, retry: bool) -> u64 {
        let began = sim::now();
        let mut starts = 0;
        while sim::now() - began < Duration::from_secs(10) {
            let mut index = None;
            for _ in 0..self.n {
                starts = (starts + 1) % self.n;
                if !self.connected[starts] {
                    continue;
                }
                if let Some((i, _)) = self.rafts[starts]
                    .as_ref()
                    .and_then(|raft| raft.start(command.clone()))
                {
                    index = Some(i);
                    break;
                }
            }
            if let Some(index) = index {
                let submitted = sim::now();
                while sim::now() - submitted < Duration::from_secs(2) {
                    let (nd, got) = self.n_committed(index);
                    if nd > 0 && nd >= expected && got.as_deref() == Some(&command[..]) {
                        return index;
                    }
                    sim::sleep(Duration::from_millis(20)).await;
                }
                assert!(
                    retry,
                    "one({}) failed to reach agreement",
                    show_cmd(&command)
                );
            } else {
                sim::sleep(Duration::from_millis(50)).await;
            }
        }
        panic!("one({}) failed to reach agreement", show_cmd(&command));
    }

    /// Kills every peer (the course's `cleanup`).
    pub fn cleanup(&mut self) {
        for i in 0..self.n {
            if let Some(raft) = self.rafts[i].take() {
                let _span = sim::server_span(None, i).entered();
                raft.kill();
            }
        }
    }
}

impl Drop for Tester {
    fn drop(&mut self) {
        self.cleanup();
    }
}

/// What an applier waits on, for the report of a stopped world.
fn reading(i: usize) -> String {
    format!("peer {i}'s apply channel (the tester's applier reads it)")
}

/// The course's `applier`: records what peer `i` applies, failing the test if it differs
/// from what another peer applied at that index, or comes out of order.
async fn applier(i: usize, mut apply_rx: mpsc::Receiver<ApplyMsg>, applied: Arc<Mutex<Applied>>) {
    while let Some(msg) = sim::waiting(reading(i), apply_rx.recv()).await {
        let ApplyMsg::Command { index, command, .. } = msg else {
            continue;
        };
        let mut applied = applied.lock().unwrap_or_else(|e| e.into_inner());
        let in_order = index == 1 || applied.logs[i].contains_key(&(index - 1));
        applied.check_and_record(i, index, command);
        assert!(
            in_order,
            "apply error: server {i} apply out of order {index}"
        );
    }
}

/// The course's `applierSnap`: as [`applier`], but commands must come exactly in order
/// after the last one or the last snapshot (`last_applied`: what the instance started
/// from), snapshots replace what was applied, and every [`SNAPSHOT_INTERVAL`] entries (or
/// the peer's own interval, beyond the course) the peer is told to snapshot, from this
/// task, as the course's applier does.
async fn applier_snap(
    i: usize,
    mut apply_rx: mpsc::Receiver<ApplyMsg>,
    applied: Arc<Mutex<Applied>>,
    raft: Raft,
    mut last_applied: u64,
) {
    while let Some(msg) = sim::waiting(reading(i), apply_rx.recv()).await {
        let snapshot = {
            let mut applied = applied.lock().unwrap_or_else(|e| e.into_inner());
            match msg {
                ApplyMsg::Snapshot {
                    index, snapshot, ..
                } => {
                    assert!(
                        !applied.forbid_rollback || index >= last_applied,
                        "apply error: server {i} delivers a snapshot at index {index}, behind index {last_applied} it has applied (its service would go back in time)"
                    );
                    last_applied = applied.ingest(i, &snapshot, Some(index));
                    None
                }
                ApplyMsg::Command { index, command, .. } => {
                    let expected = last_applied + 1;
                    assert_eq!(
                        index, expected,
                        "apply error: server {i} apply out of order, expected index {expected}, got {index}"
                    );
                    applied.check_and_record(i, index, command);
                    last_applied = index;
                    ((index + 1) % applied.intervals[i] == 0)
                        .then(|| (index, applied.snapshot(i, index)))
                }
            }
        };
        if let Some((index, data)) = snapshot {
            raft.snapshot(index, data);
        }
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
                let raft = t.raft(0).expect("peer 0 runs").clone();
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
