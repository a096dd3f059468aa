//! [`KvMachine`]: the versioned map ([`KvState`]) as the state machine of the log. A Get
//! goes through the log too, so that it reads what every committed Put wrote.

use crate::rsm::{StateMachine, decode_machine, encode_machine};
use common::codec::CodecError;
use common::kvtest::rpc::{GetArgs, GetReply, PutArgs, PutReply};
use lab2_kvsrv_2026::kv_state::KvState;
use serde::{Deserialize, Serialize};

/// What a log entry asks of the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvOp {
    /// A Get.
    Get(GetArgs),
    /// A versioned Put.
    Put(PutArgs),
}

/// What applying it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvRep {
    /// A Get's reply.
    Get(GetReply),
    /// A Put's reply.
    Put(PutReply),
}

/// The replicated map. Its snapshot is its serde form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvMachine {
    state: KvState,
}

impl StateMachine for KvMachine {
    type Command = KvOp;
    type Output = KvRep;

    fn apply(&mut self, op: KvOp) -> KvRep {
        match op {
            KvOp::Get(args) => KvRep::Get(self.state.get(&args)),
            KvOp::Put(args) => KvRep::Put(self.state.put(args)),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        encode_machine(self)
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), CodecError> {
        decode_machine(self, snapshot)
    }
}
