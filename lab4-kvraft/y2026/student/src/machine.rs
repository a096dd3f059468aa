//! [`KvMachine`]: the versioned map as the state machine of the log (the `DoOp`,
//! `Snapshot` and `Restore` of the course's `kvraft1/server.go`). A Get goes through the
//! log too, so that it reads what every committed Put wrote.

use crate::rsm::StateMachine;
use common::codec::CodecError;
use common::kvtest::rpc::{GetArgs, GetReply, PutArgs, PutReply};
use serde::{Deserialize, Serialize};

/// What a log entry asks of the map. Yours to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvOp {
    /// A Get.
    Get(GetArgs),
    /// A versioned Put.
    Put(PutArgs),
}

/// What applying it answered. Yours to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvRep {
    /// A Get's reply.
    Get(GetReply),
    /// A Put's reply.
    Put(PutReply),
}

/// The replicated map: for each key its value and version, as in Lab 2.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvMachine {
    // Lab 4B: the map.
}

impl StateMachine for KvMachine {
    type Command = KvOp;
    type Output = KvRep;

    fn apply(&mut self, _op: KvOp) -> KvRep {
        todo!("Lab 4B: KvMachine::apply (Lab 2's Get and Put rules)")
    }

    fn snapshot(&self) -> Vec<u8> {
        todo!("Lab 4C: KvMachine::snapshot")
    }

    fn restore(&mut self, _snapshot: &[u8]) -> Result<(), CodecError> {
        todo!("Lab 4C: KvMachine::restore")
    }
}
