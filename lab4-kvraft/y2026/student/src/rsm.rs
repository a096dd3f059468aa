//! The course's `rsm` package (`rsm/rsm.go`): a replica's Raft peer and the state machine
//! it drives. A server submits a command; the rsm starts it in Raft, and the task that
//! reads the apply channel applies each committed command to the machine, in log order,
//! and hands the submitter what the machine returned. From 4C it also snapshots the
//! machine once Raft's persisted state grows past `max_raft_state`, and restores it from
//! a snapshot, at start and when Raft installs one.

use common::codec::{self, CodecError};
use common::kvtest::rpc::KvErr;
use common::labrpc::ClientEnd;
use common::persister::Persister;
use lab3_raft::Raft;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex};

/// What the rsm drives (the course's `StateMachine`: `DoOp`, `Snapshot`, `Restore`).
/// Given: the testers' machines implement it.
pub trait StateMachine: Send + 'static {
    /// What goes through the Raft log.
    type Command: Serialize + DeserializeOwned + Send + 'static;
    /// What applying a command gives the client that submitted it.
    type Output: Send + 'static;
    /// Applies one committed command (`DoOp`).
    fn apply(&mut self, command: Self::Command) -> Self::Output;
    /// The machine as bytes, for a snapshot (`Snapshot`).
    fn snapshot(&self) -> Vec<u8>;
    /// Becomes the machine `snapshot` made (`Restore`). Bytes that are not such a snapshot
    /// are an error, and leave the machine as it was.
    ///
    /// # Errors
    /// When `snapshot` does not decode.
    fn restore(&mut self, snapshot: &[u8]) -> Result<(), CodecError>;
}

/// [`StateMachine::snapshot`] for a machine whose `Serialize` is its snapshot format.
/// Given.
pub fn encode_machine<M: Serialize>(machine: &M) -> Vec<u8> {
    codec::encode(machine).expect("a machine encodes")
}

/// [`StateMachine::restore`] for a machine whose `Deserialize` reads its snapshot. Given.
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

/// One replica: its Raft peer and the state machine it drives (`RSM`). Cloning gives
/// another handle to the same replica.
#[allow(dead_code)] // Lab 4A: the fields are yours to use and to add to.
pub struct Rsm<M: StateMachine> {
    raft: Raft,
    machine: Arc<Mutex<M>>,
    // Lab 4A: the submits waiting for their entries to be applied, and what else the
    // reader of the apply channel shares with them.
}

impl<M: StateMachine> Clone for Rsm<M> {
    fn clone(&self) -> Self {
        Rsm {
            raft: self.raft.clone(),
            machine: self.machine.clone(),
        }
    }
}

impl<M: StateMachine> Rsm<M> {
    /// Starts replica `me` of the servers behind `servers` (`MakeRSM`): its Raft peer on
    /// `persister`, and the task that reads the apply channel. From 4C: restores `sm` from
    /// the persisted snapshot if there is one, and snapshots once the persisted Raft state
    /// (`Raft::persist_bytes`) reaches `max_raft_state` bytes (never if `None`, the
    /// course's -1). Called by the testers.
    pub fn make(
        _servers: Vec<ClientEnd>,
        _me: usize,
        _persister: Arc<dyn Persister>,
        _max_raft_state: Option<usize>,
        _sm: M,
    ) -> Rsm<M> {
        todo!("Lab 4A: Rsm::make (start Raft and the reader of its apply channel)")
    }

    /// Its Raft peer (`Raft()`). Called by the testers.
    pub fn raft(&self) -> &Raft {
        &self.raft
    }

    /// Proposes `req` and waits until it is applied, for what the machine's `apply`
    /// returned (`Submit`). `ErrWrongLeader` if this peer does not lead, or loses its
    /// leadership or its entry first (another command was applied at its index). While
    /// this peer still believes it leads, keep waiting: a leader cut off in a minority
    /// must not give up (`test_leader_partition_4a`). Called by the testers.
    ///
    /// # Errors
    /// `KvErr::ErrWrongLeader`: the caller tries another server.
    pub async fn submit(&self, _req: M::Command) -> Result<M::Output, KvErr> {
        todo!("Lab 4A: Rsm::submit")
    }

    /// Runs `f` on the machine (the rsm tester reads its counter). Called by the testers.
    pub fn with_machine<T>(&self, f: impl FnOnce(&M) -> T) -> T {
        f(&self.machine.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
