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
//! A snapshot holds the index of the last command the machine applied and the machine's
//! own snapshot ([`StateMachine::snapshot`]), encoded with the workspace codec
//! ([`snapshot_bytes`]).
//!
//! Both editions run on it. The 2024 services give up on a submit after [`MAX_WAIT`]
//! ([`Rsm::start`]); the 2026 course's rsm must not give up while its peer believes it
//! leads, so its submit waits until the entry is applied or the peer is deposed
//! ([`Rsm::start_with`] with no submit timeout).

mod applier;
pub mod client;
pub mod pending;
mod submit;

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
/// machine and the command (no clock, no randomness, no hash-map order). The 2026
/// course's `StateMachine` interface, in Rust: `DoOp` is `apply`, `Snapshot` and
/// `Restore` are `snapshot` and `restore`.
pub trait StateMachine: Send + 'static {
    /// What goes through the Raft log.
    type Command: Serialize + DeserializeOwned + Send + 'static;
    /// What applying a command gives the client that submitted it.
    type Output: Send + 'static;
    /// Applies one committed command.
    fn apply(&mut self, command: Self::Command) -> Self::Output;
    /// The machine as bytes, for a snapshot.
    fn snapshot(&self) -> Vec<u8>;
    /// Becomes the machine `snapshot` made. Bytes that are not such a snapshot are an
    /// error, and leave the machine as it was.
    ///
    /// # Errors
    /// When `snapshot` does not decode.
    fn restore(&mut self, snapshot: &[u8]) -> Result<(), CodecError>;
}

/// [`StateMachine::snapshot`] for a machine whose `Serialize` is its snapshot format.
pub fn encode_machine<M: Serialize>(machine: &M) -> Vec<u8> {
    // Our own types encode; if one did not, it would be a bug.
    codec::encode(machine).expect("a machine encodes")
}

/// [`StateMachine::restore`] for a machine whose `Deserialize` reads its snapshot.
///
/// # Errors
/// When `snapshot` does not decode.
pub fn decode_machine<M: DeserializeOwned>(
    machine: &mut M,
    snapshot: &[u8],
) -> Result<(), CodecError> {
    *machine = codec::decode(snapshot)?;
    Ok(())
}

/// A replica's snapshot: the last index its machine applied, then the machine's snapshot.
pub fn snapshot_bytes<M: StateMachine>(last_applied: u64, machine: &M) -> Vec<u8> {
    codec::encode(&(last_applied, machine.snapshot())).expect("bytes encode")
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
    /// The snapshot is not the one Raft's log continues from: it applied through
    /// `snapshot`, but Raft's log starts after `raft`. Starting would skip commands or
    /// apply them twice.
    Mismatch {
        /// The last index the snapshot applied (0 if there is none).
        snapshot: u64,
        /// The last index Raft's snapshot covers.
        raft: u64,
    },
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Raft(e) => write!(f, "{e}"),
            StartError::Snapshot(e) => write!(f, "persisted snapshot does not decode: {e}"),
            StartError::Mismatch { snapshot, raft } => write!(
                f,
                "persisted snapshot applied through index {snapshot}, but Raft's log \
                 continues from a snapshot through {raft}"
            ),
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
    /// How long a submit waits for its entry while its peer still leads (`None`: as long
    /// as it leads).
    submit_timeout: Option<Duration>,
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
        Rsm::start_with(
            servers,
            me,
            persister,
            max_raft_state,
            machine,
            Some(MAX_WAIT),
        )
    }

    /// As [`Rsm::start`], with a submit that gives up after `submit_timeout` while its
    /// peer still leads, or never (`None`: the 2026 course's rsm).
    pub fn start_with(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        machine: M,
        submit_timeout: Option<Duration>,
    ) -> Rsm<M> {
        match Rsm::try_start_with(
            servers.clone(),
            me,
            persister.clone(),
            max_raft_state,
            machine,
            submit_timeout,
        ) {
            Ok(rsm) => rsm,
            Err((e, machine)) => {
                tracing::error!(peer = me, error = %e, "cannot restore; the replica stays stopped");
                let (apply_tx, _) = mpsc::channel(1);
                let raft = Raft::new(servers, me, persister.clone(), apply_tx);
                raft.kill();
                let rsm = Rsm::build(
                    me,
                    raft,
                    persister,
                    (max_raft_state, submit_timeout),
                    machine,
                    0,
                );
                rsm.kill();
                rsm
            }
        }
    }

    /// As [`Rsm::start`], but a persisted state that does not restore is an error (given
    /// back with the unused initial machine).
    ///
    /// # Errors
    /// When Raft's state or the snapshot does not decode, or the snapshot is not the one
    /// Raft's log continues from.
    pub fn try_start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        machine: M,
    ) -> Result<Rsm<M>, (StartError, M)> {
        Rsm::try_start_with(
            servers,
            me,
            persister,
            max_raft_state,
            machine,
            Some(MAX_WAIT),
        )
    }

    /// As [`Rsm::try_start`], with the submit timeout of [`Rsm::start_with`].
    ///
    /// # Errors
    /// As [`Rsm::try_start`].
    pub fn try_start_with(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        mut machine: M,
        submit_timeout: Option<Duration>,
    ) -> Result<Rsm<M>, (StartError, M)> {
        let snapshot = persister.read_snapshot();
        let restored = if snapshot.is_empty() {
            None
        } else {
            match codec::decode::<(u64, Vec<u8>)>(&snapshot) {
                Ok((last_applied, bytes)) => match machine.restore(&bytes) {
                    Ok(()) => Some(last_applied),
                    Err(e) => return Err((StartError::Snapshot(e), machine)),
                },
                Err(e) => return Err((StartError::Snapshot(e), machine)),
            }
        };
        let (apply_tx, apply_rx) = mpsc::channel(1);
        let raft = match Raft::try_new(servers, me, persister.clone(), apply_tx) {
            Ok(raft) => raft,
            Err(e) => return Err((StartError::Raft(e), machine)),
        };
        let snapshot_index = restored.unwrap_or(0);
        if snapshot_index != raft.last_included_index() {
            let mismatch = StartError::Mismatch {
                snapshot: snapshot_index,
                raft: raft.last_included_index(),
            };
            raft.kill();
            return Err((mismatch, machine));
        }
        let last_applied = snapshot_index;
        let rsm = Rsm::build(
            me,
            raft,
            persister,
            (max_raft_state, submit_timeout),
            machine,
            last_applied,
        );
        let applier = sim::spawn(rsm.clone().run_applier(apply_rx));
        let noop = sim::spawn(rsm.clone().run_noop_proposer());
        rsm.state().tasks = vec![applier, noop];
        tracing::debug!(peer = me, index = last_applied, "replica started");
        Ok(rsm)
    }

    /// `limits`: the snapshot threshold and the submit timeout.
    fn build(
        me: usize,
        raft: Raft,
        persister: Arc<dyn Persister>,
        (max_raft_state, submit_timeout): (Option<usize>, Option<Duration>),
        machine: M,
        last_applied: u64,
    ) -> Rsm<M> {
        Rsm {
            inner: Arc::new(Inner {
                me,
                raft,
                persister,
                max_raft_state,
                submit_timeout,
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
    /// Stops the replica: Raft is killed, the apply task ends, waiters get
    /// [`SubmitError::WrongLeader`], and later submits fail at once.
    pub fn kill(&self) {
        self.stop(&mut self.state());
    }

    fn stop(&self, state: &mut State<M>) {
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
