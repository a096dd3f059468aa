//! [`Rsm::submit`]: a client's command proposed through Raft and its output awaited,
//! and the no-op a new leader proposes (see the module documentation of [`super`]).

use super::{Payload, Rsm, StateMachine, SubmitError};
use common::codec;
use common::sim;
use tokio::sync::oneshot;

impl<M: StateMachine> Rsm<M> {
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
        let timeout = self.inner.submit_timeout;
        let give_up = async move {
            match timeout {
                Some(timeout) => sim::sleep(timeout).await,
                None => std::future::pending().await,
            }
        };
        let outcome = tokio::select! {
            biased;
            reply = &mut rx => reply.unwrap_or(Err(SubmitError::WrongLeader)),
            () = deposed => Err(SubmitError::WrongLeader),
            () = give_up => Err(SubmitError::Timeout),
        };
        if outcome.is_err() {
            self.state().pending.remove(index, term);
        }
        outcome
    }

    /// Proposes a no-op each time this peer becomes leader (see the module documentation),
    /// the moment it does, until the replica is killed.
    pub(super) async fn run_noop_proposer(self) {
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
}
