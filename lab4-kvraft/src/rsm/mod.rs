//! [`Rsm`]: a replicated state machine on Raft, the driver every Raft-backed service of
//! Labs 4 and 5 runs (the KV server, the shard controller, the shardkv groups).
//!
//! A service is a pure [`StateMachine`]: commands in, outputs out, no I/O. `Rsm` owns one
//! replica of it and one Raft peer, and does the rest:
//!
//! - [`Rsm::submit`] proposes a command through [`Raft::start`] and waits until the entry
//!   at the returned index is applied. It answers with the machine's output if the entry
//!   applied there is its own (same term; see [`pending`]), and with
//!   [`SubmitError::WrongLeader`] if this peer is not the leader, lost its leadership or
//!   its entry, or the entry's fate is unknown. A peer cut off in a minority keeps
//!   believing it leads, so a submit also gives up after [`MAX_WAIT`]: no client waits on
//!   a dead leader forever.
//! - The apply task takes Raft's [`ApplyMsg`]s in order and applies each command to the
//!   machine exactly in log order, on every replica. A snapshot from the leader replaces
//!   the machine.
//! - With `max_raft_state` set, once the persisted Raft state reaches that size the apply
//!   task hands Raft a snapshot of the machine through [`Raft::snapshot`], so Raft can
//!   drop its log. At start the machine is restored from the persisted snapshot.
//!
//! One mutex guards the machine and the waiters. It is taken before Raft's (in `submit`,
//! around `start`, so the waiter is registered before its entry can be applied), and Raft
//! never calls back into the service while holding its own lock: applied entries arrive
//! on the apply channel from Raft's applier task, which holds no lock while it waits for
//! the service. So there is no lock cycle (checklist G18), and the apply task may call
//! [`Raft::snapshot`] while Raft waits to hand it the next entry.
//!
//! - A leader commits entries of earlier terms only by committing one of its own (Raft
//!   §5.4.2). A new leader that gets no requests (a shardkv group whose shards all moved
//!   away, say) would leave such entries uncommitted for good, and a replica that applied
//!   one before a crash would be ahead of its restarted group forever. So each time its
//!   peer becomes leader, the replica proposes a no-op ([`Payload::Noop`]), as the Raft
//!   paper's leaders do (§8).
//!
//! A snapshot holds the machine and the index of the last command it applied, encoded
//! with the workspace codec; the machine's `Serialize` is its snapshot format.

pub mod client;
pub mod pending;

use common::ApplyMsg;
use common::codec::{self, CodecError};
use common::labrpc::ClientEnd;
use common::persister::Persister;
use common::sim;
use lab3_raft::Raft;
use lab3_raft::persist::RestoreError;
use pending::Pending;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// A service's deterministic state machine. Every replica applies the same commands in the
/// same order and must end in the same state, so `apply` may depend on nothing but the
/// machine and the command (no clock, no randomness, no hash-map order).
pub trait StateMachine: Serialize + DeserializeOwned + Send + 'static {
    /// What goes through the Raft log.
    type Command: Serialize + DeserializeOwned + Send + 'static;
    /// What applying a command gives the client that submitted it.
    type Output: Send + 'static;
    /// Applies one committed command.
    fn apply(&mut self, command: Self::Command) -> Self::Output;
}

/// Why a submitted command got no output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmitError {
    /// This peer is not the leader, or lost its leadership or its entry before the entry
    /// was applied: try another server. (The command may still take effect; clients
    /// retry with the same sequence number, and duplicate detection makes that safe.)
    WrongLeader,
    /// The entry was not applied within [`MAX_WAIT`]; this peer may be a leader cut off
    /// from the majority. Try another server.
    Timeout,
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubmitError::WrongLeader => write!(f, "wrong leader"),
            SubmitError::Timeout => write!(f, "timeout"),
        }
    }
}

/// Why a replica could not start from its persisted state.
#[derive(Debug)]
pub enum StartError {
    /// Raft's state does not restore.
    Raft(RestoreError),
    /// The snapshot does not decode.
    Snapshot(CodecError),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Raft(e) => write!(f, "{e}"),
            StartError::Snapshot(e) => write!(f, "persisted snapshot does not decode: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// What a Raft log entry carries for a replicated service (its `command` bytes, encoded):
/// a service's command, or a new leader's no-op.
#[derive(Debug, Serialize, Deserialize)]
pub enum Payload<C> {
    /// A command for the state machine.
    Command(C),
    /// Commits the entries before it; applies nothing.
    Noop,
}

/// How long a submit waits for its entry before giving up with [`SubmitError::Timeout`].
/// Longer than Raft's longest election timeout
/// ([`lab3_raft::core::Config::max_election_timeout`], 600 ms), so that a leader cut off
/// in a minority, which keeps believing it leads, gives its clients up only once the
/// majority has had time to elect another leader; much longer would only keep them
/// waiting. The test `timings_fit_together` checks the relation.
pub const MAX_WAIT: Duration = Duration::from_millis(800);

/// One replica: a Raft peer and the state machine it drives. A cheap, cloneable handle.
pub struct Rsm<M: StateMachine> {
    inner: Arc<Inner<M>>,
}

impl<M: StateMachine> Clone for Rsm<M> {
    fn clone(&self) -> Self {
        Rsm {
            inner: self.inner.clone(),
        }
    }
}

type Reply<O> = oneshot::Sender<Result<O, SubmitError>>;

struct Inner<M: StateMachine> {
    me: usize,
    raft: Raft,
    persister: Arc<dyn Persister>,
    max_raft_state: Option<usize>,
    state: Mutex<State<M>>,
}

struct State<M: StateMachine> {
    machine: M,
    /// The index of the last command applied to `machine` (0: none).
    last_applied: u64,
    /// The index of the last snapshot handed to Raft or installed.
    last_snapshot: u64,
    pending: Pending<Reply<M::Output>>,
    /// The apply task and the no-op proposer.
    tasks: Vec<JoinHandle<()>>,
    killed: bool,
}

/// The snapshot's layout: the machine and the last index it applied.
#[derive(Serialize)]
struct SnapshotRef<'a, M> {
    last_applied: u64,
    machine: &'a M,
}

#[derive(Deserialize)]
struct SnapshotOwned<M> {
    last_applied: u64,
    machine: M,
}

impl<M: StateMachine> Rsm<M> {
    /// Starts replica `me` of the cluster whose Raft ends are `servers`, from what
    /// `persister` holds (or from `machine` if it holds no snapshot). Snapshots when the
    /// persisted Raft state reaches `max_raft_state` bytes; never if `None`.
    ///
    /// A persisted state that cannot be restored is logged as an error and the replica
    /// stays stopped: starting it from scratch could lose committed commands.
    /// [`Rsm::try_start`] returns the error instead.
    pub fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        machine: M,
    ) -> Rsm<M> {
        match Rsm::try_start(
            servers.clone(),
            me,
            persister.clone(),
            max_raft_state,
            machine,
        ) {
            Ok(rsm) => rsm,
            Err((e, machine)) => {
                tracing::error!(peer = me, error = %e, "cannot restore; the replica stays stopped");
                let (apply_tx, _) = mpsc::channel(1);
                let raft = Raft::new(servers, me, persister.clone(), apply_tx);
                raft.kill();
                let rsm = Rsm::build(me, raft, persister, max_raft_state, machine, 0);
                rsm.kill();
                rsm
            }
        }
    }

    /// As [`Rsm::start`], but a persisted state that does not restore is an error (given
    /// back with the unused initial machine).
    ///
    /// # Errors
    /// When Raft's state or the snapshot does not decode.
    pub fn try_start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        machine: M,
    ) -> Result<Rsm<M>, (StartError, M)> {
        let snapshot = persister.read_snapshot();
        let (machine, last_applied) = if snapshot.is_empty() {
            (machine, 0)
        } else {
            match codec::decode::<SnapshotOwned<M>>(&snapshot) {
                Ok(s) => (s.machine, s.last_applied),
                Err(e) => return Err((StartError::Snapshot(e), machine)),
            }
        };
        let (apply_tx, apply_rx) = mpsc::channel(1);
        let raft = match Raft::try_new(servers, me, persister.clone(), apply_tx) {
            Ok(raft) => raft,
            Err(e) => return Err((StartError::Raft(e), machine)),
        };
        let rsm = Rsm::build(me, raft, persister, max_raft_state, machine, last_applied);
        let applier = sim::spawn(rsm.clone().run_applier(apply_rx));
        let noop = sim::spawn(rsm.clone().run_noop_proposer());
        rsm.state().tasks = vec![applier, noop];
        tracing::debug!(peer = me, index = last_applied, "replica started");
        Ok(rsm)
    }

    fn build(
        me: usize,
        raft: Raft,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        machine: M,
        last_applied: u64,
    ) -> Rsm<M> {
        Rsm {
            inner: Arc::new(Inner {
                me,
                raft,
                persister,
                max_raft_state,
                state: Mutex::new(State {
                    machine,
                    last_applied,
                    last_snapshot: last_applied,
                    pending: Pending::new(),
                    tasks: Vec::new(),
                    killed: false,
                }),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State<M>> {
        // Every critical section leaves the state whole; a panic in one has failed the
        // test already.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// This replica's Raft peer.
    pub fn raft(&self) -> &Raft {
        &self.inner.raft
    }

    /// Reads the machine (for tests and status).
    pub fn with_machine<T>(&self, f: impl FnOnce(&M) -> T) -> T {
        f(&self.state().machine)
    }

    /// Proposes `command` and waits for its output; see the module documentation.
    ///
    /// # Errors
    /// [`SubmitError`] when this peer cannot get the command applied: try another one.
    ///
    /// # Cancel safety
    /// Cancel safe: a dropped submit leaves its proposal in the log (it may still be
    /// applied) and its waiter is dropped when its index is applied.
    pub async fn submit(&self, command: M::Command) -> Result<M::Output, SubmitError> {
        // Encoding a command of our own types cannot fail; if it did, it would be a bug.
        let bytes = codec::encode(&Payload::Command(&command)).expect("a command encodes");
        let (mut rx, index, term) = {
            let mut state = self.state();
            if state.killed {
                return Err(SubmitError::WrongLeader);
            }
            let Some((index, term)) = self.inner.raft.start(bytes) else {
                return Err(SubmitError::WrongLeader);
            };
            let (tx, rx) = oneshot::channel();
            // A waiter displaced from this index lost its entry; dropping its sender tells it.
            drop(state.pending.insert(index, term, tx));
            (rx, index, term)
        };
        let raft = self.inner.raft.clone();
        // Deposed: no longer the leader of the term it proposed in (a new term, or killed).
        let deposed = async move {
            let mut state = (term, true);
            while state == (term, true) {
                state = raft.state_change(state).await;
            }
        };
        let outcome = tokio::select! {
            biased;
            reply = &mut rx => reply.unwrap_or(Err(SubmitError::WrongLeader)),
            () = deposed => Err(SubmitError::WrongLeader),
            () = sim::sleep(MAX_WAIT) => Err(SubmitError::Timeout),
        };
        if outcome.is_err() {
            self.state().pending.remove(index, term);
        }
        outcome
    }

    /// Stops the replica: Raft is killed, the apply task ends, waiters get
    /// [`SubmitError::WrongLeader`], and later submits fail at once.
    pub fn kill(&self) {
        let mut state = self.state();
        state.killed = true;
        self.inner.raft.kill();
        for task in state.tasks.drain(..) {
            task.abort();
        }
        drop(state.pending.drain());
    }

    /// Whether [`Rsm::kill`] was called.
    pub fn killed(&self) -> bool {
        self.state().killed
    }

    /// Proposes a no-op each time this peer becomes leader (see the module documentation),
    /// the moment it does, until the replica is killed.
    async fn run_noop_proposer(self) {
        let noop = codec::encode(&Payload::<()>::Noop).expect("a no-op encodes");
        let mut state = (0, false);
        loop {
            state = self.inner.raft.state_change(state).await;
            if self.killed() {
                return;
            }
            if let (term, true) = state
                && let Some((index, _)) = self.inner.raft.start(noop.clone())
            {
                tracing::debug!(peer = self.inner.me, term, index, "no-op proposed");
            }
        }
    }

    /// Applies what Raft delivers, in order, until the replica is killed. Takes any message
    /// already waiting in the channel before it considers a snapshot (the channel holds at
    /// most one, as the course's holds none); a snapshot is taken only once the persisted
    /// Raft state has reached `max_raft_state`, which it shrinks back below.
    async fn run_applier(self, mut apply_rx: mpsc::Receiver<ApplyMsg>) {
        let reading = format!(
            "peer {}'s apply channel (its service reads it)",
            self.inner.me
        );
        while let Some(msg) = sim::waiting(reading.clone(), apply_rx.recv()).await {
            let mut state = self.state();
            if state.killed {
                return;
            }
            let mut next = Some(msg);
            while let Some(msg) = next {
                match msg {
                    ApplyMsg::Command {
                        index,
                        term,
                        command,
                    } => self.apply_command(&mut state, index, term, &command),
                    ApplyMsg::Snapshot {
                        index, snapshot, ..
                    } => self.install_snapshot(&mut state, index, &snapshot),
                }
                next = apply_rx.try_recv().ok();
            }
            self.maybe_snapshot(&mut state);
        }
    }

    fn apply_command(&self, state: &mut State<M>, index: u64, term: u64, command: &[u8]) {
        if index <= state.last_applied {
            // Already in the machine through a snapshot.
            return;
        }
        assert_eq!(
            index,
            state.last_applied + 1,
            "peer {}: Raft applied index {index} after {}",
            self.inner.me,
            state.last_applied
        );
        state.last_applied = index;
        let output = match codec::decode::<Payload<M::Command>>(command) {
            Ok(Payload::Command(command)) => Some(state.machine.apply(command)),
            Ok(Payload::Noop) => None,
            Err(e) => {
                // Every replica skips the same bad entry, so they stay in step.
                tracing::error!(peer = self.inner.me, index, error = %e, "committed entry does not decode; skipped");
                None
            }
        };
        let (matched, lost) = state.pending.applied(index, term);
        drop(lost);
        if let (Some(reply), Some(output)) = (matched, output) {
            // The submitter may have given up; then nobody needs the output.
            let _ = reply.send(Ok(output));
        }
    }

    fn install_snapshot(&self, state: &mut State<M>, index: u64, snapshot: &[u8]) {
        if index <= state.last_applied {
            return;
        }
        match codec::decode::<SnapshotOwned<M>>(snapshot) {
            Ok(s) if s.last_applied == index => {
                state.machine = s.machine;
                state.last_applied = index;
                state.last_snapshot = index;
                drop(state.pending.covered(index));
                tracing::debug!(peer = self.inner.me, index, "installed snapshot");
            }
            Ok(s) => tracing::error!(
                peer = self.inner.me,
                index,
                holds = s.last_applied,
                "snapshot holds another index; ignored"
            ),
            Err(e) => {
                tracing::error!(peer = self.inner.me, index, error = %e, "snapshot does not decode; ignored")
            }
        }
    }

    /// Hands Raft a snapshot once its persisted state reached `max_raft_state`, if the
    /// machine applied anything since the last one (a snapshot cannot shrink a log of
    /// entries not yet applied).
    fn maybe_snapshot(&self, state: &mut State<M>) {
        let Some(max) = self.inner.max_raft_state else {
            return;
        };
        if self.inner.persister.raft_state_size() < max || state.last_applied <= state.last_snapshot
        {
            return;
        }
        let snapshot = codec::encode(&SnapshotRef {
            last_applied: state.last_applied,
            machine: &state.machine,
        })
        .expect("a machine encodes");
        tracing::debug!(
            peer = self.inner.me,
            index = state.last_applied,
            bytes = snapshot.len(),
            "snapshot"
        );
        state.last_snapshot = state.last_applied;
        self.inner.raft.snapshot(state.last_applied, snapshot);
    }
}

#[cfg(test)]
mod timing_tests {
    use super::MAX_WAIT;
    use super::client::ROUND_PAUSE;
    use lab3_raft::core::Config;

    /// The timing constants tuned against Raft's: a submit outwaits an election, and a
    /// client's pause between rounds of servers is shorter than a heartbeat interval (a
    /// new leader is found within a round or two of it being elected).
    #[test]
    fn timings_fit_together() {
        let raft = Config::default();
        assert!(MAX_WAIT > raft.max_election_timeout());
        assert!(ROUND_PAUSE < raft.heartbeat());
    }
}
