//! The apply task: Raft's committed entries applied to the machine in log order on every
//! replica, snapshots installed, and snapshots handed to Raft once its persisted state
//! grows past `max_raft_state` (see the module documentation of [`super`]).

use super::{Payload, Rsm, State, StateMachine};
use common::ApplyMsg;
use common::codec;
use common::sim;
use tokio::sync::mpsc;

/// Why a replica cannot go on applying: what Raft delivered does not continue what the
/// machine holds.
#[derive(Debug)]
pub(super) enum Broken {
    /// A command after a gap: the ones between were never applied.
    Gap { index: u64, last_applied: u64 },
    /// A snapshot that does not decode.
    Undecodable { index: u64, error: String },
    /// A snapshot that applied through another index than Raft says.
    Mismatch { index: u64, holds: u64 },
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Gap {
                index,
                last_applied,
            } => write!(f, "Raft applied index {index} after {last_applied}"),
            Broken::Undecodable { index, error } => {
                write!(f, "the snapshot through {index} does not decode: {error}")
            }
            Broken::Mismatch { index, holds } => {
                write!(
                    f,
                    "the snapshot through {index} holds the machine through {holds}"
                )
            }
        }
    }
}

impl<M: StateMachine> Rsm<M> {
    /// Applies what Raft delivers, in order, until the replica is killed. Takes any message
    /// already waiting in the channel before it considers a snapshot (the channel holds at
    /// most one, as the course's holds none); a snapshot is taken only once the persisted
    /// Raft state has reached `max_raft_state`, which it shrinks back below.
    pub(super) async fn run_applier(self, mut apply_rx: mpsc::Receiver<ApplyMsg>) {
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
                let applied = match msg {
                    ApplyMsg::Command {
                        index,
                        term,
                        command,
                    } => self.apply_command(&mut state, index, term, &command),
                    ApplyMsg::Snapshot {
                        index, snapshot, ..
                    } => self.install_snapshot(&mut state, index, &snapshot),
                };
                if let Err(broken) = applied {
                    self.stop_broken(&mut state, &broken);
                    return;
                }
                next = apply_rx.try_recv().ok();
            }
            self.maybe_snapshot(&mut state);
        }
    }

    /// Stops a replica that can no longer apply in log order (see [`Broken`]): its
    /// machine would diverge from the others'. Its persisted state still holds every
    /// committed command, so nothing is lost; the error says what happened. In simulation
    /// only a bug gets here, so the world fails with it.
    fn stop_broken(&self, state: &mut State<M>, broken: &Broken) {
        let message = format!("peer {}: {broken}; the replica stops", self.inner.me);
        tracing::error!(peer = self.inner.me, "{message}");
        sim::fail_world(message);
        self.stop(state);
    }

    fn apply_command(
        &self,
        state: &mut State<M>,
        index: u64,
        term: u64,
        command: &[u8],
    ) -> Result<(), Broken> {
        if index <= state.last_applied {
            // Already in the machine through a snapshot.
            return Ok(());
        }
        if Some(index) != state.last_applied.checked_add(1) {
            return Err(Broken::Gap {
                index,
                last_applied: state.last_applied,
            });
        }
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
        Ok(())
    }

    /// Installs the leader's snapshot through `index`. Raft has dropped its log up to
    /// there, so a snapshot that does not decode or holds another index cannot be ignored:
    /// the commands it stands for are nowhere else on this replica.
    fn install_snapshot(
        &self,
        state: &mut State<M>,
        index: u64,
        snapshot: &[u8],
    ) -> Result<(), Broken> {
        if index <= state.last_applied {
            return Ok(());
        }
        let undecodable = |e: codec::CodecError| Broken::Undecodable {
            index,
            error: e.to_string(),
        };
        let (last_applied, bytes) =
            codec::decode::<(u64, Vec<u8>)>(snapshot).map_err(undecodable)?;
        if last_applied != index {
            return Err(Broken::Mismatch {
                index,
                holds: last_applied,
            });
        }
        state.machine.restore(&bytes).map_err(undecodable)?;
        state.last_applied = index;
        state.last_snapshot = index;
        drop(state.pending.covered(index));
        tracing::debug!(peer = self.inner.me, index, "installed snapshot");
        Ok(())
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
        let snapshot = super::snapshot_bytes(state.last_applied, &state.machine);
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
