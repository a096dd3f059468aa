//! The apply task: Raft's committed entries applied to the machine in log order on every
//! replica, snapshots installed, and snapshots handed to Raft once its persisted state
//! grows past `max_raft_state` (see the module documentation of [`super`]).

use super::{Payload, Rsm, State, StateMachine};
use common::ApplyMsg;
use common::codec;
use common::sim;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

/// The snapshot's layout: the machine and the last index it applied.
#[derive(Serialize)]
struct SnapshotRef<'a, M> {
    last_applied: u64,
    machine: &'a M,
}

#[derive(Deserialize)]
pub(super) struct SnapshotOwned<M> {
    pub(super) last_applied: u64,
    pub(super) machine: M,
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
