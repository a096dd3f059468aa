//! The course's `rsm` package: `MakeRSM`, `Submit` and the `StateMachine` interface, on
//! the Rsm both editions share. What differs from the 2024 services' use of it: a submit
//! never gives up while its peer believes it leads (a leader cut off in a minority keeps
//! its clients waiting until the partition heals and it learns of a newer term), and an
//! error is the course's `ErrWrongLeader`.

use common::kvtest::rpc::KvErr;
use common::labrpc::ClientEnd;
use common::persister::Persister;
use lab3_raft::Raft;
pub use lab4_kvraft::rsm::{StateMachine, decode_machine, encode_machine};
use std::sync::Arc;

/// One replica: its Raft peer and the state machine it drives (`RSM`).
pub struct Rsm<M: StateMachine>(lab4_kvraft::rsm::Rsm<M>);

impl<M: StateMachine> Clone for Rsm<M> {
    fn clone(&self) -> Self {
        Rsm(self.0.clone())
    }
}

impl<M: StateMachine> Rsm<M> {
    /// Starts replica `me` of the servers behind `servers` (`MakeRSM`): restores `sm`
    /// from the persisted snapshot if there is one, and snapshots once the persisted Raft
    /// state reaches `max_raft_state` bytes (never if `None`, the course's -1).
    pub fn make(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        sm: M,
    ) -> Rsm<M> {
        Rsm(lab4_kvraft::rsm::Rsm::start_with(
            servers,
            me,
            persister,
            max_raft_state,
            sm,
            None,
        ))
    }

    /// Its Raft peer (`Raft()`).
    pub fn raft(&self) -> &Raft {
        self.0.raft()
    }

    /// Proposes `req` and waits until it is applied, for what the machine's `apply`
    /// returned (`Submit`); `ErrWrongLeader` if this peer does not lead, or lost its
    /// leadership or its entry.
    ///
    /// # Errors
    /// `KvErr::ErrWrongLeader`: try another server.
    pub async fn submit(&self, req: M::Command) -> Result<M::Output, KvErr> {
        self.0.submit(req).await.map_err(|_| KvErr::ErrWrongLeader)
    }

    /// Reads the machine (for the tester's counter).
    pub fn with_machine<T>(&self, f: impl FnOnce(&M) -> T) -> T {
        self.0.with_machine(f)
    }
}
