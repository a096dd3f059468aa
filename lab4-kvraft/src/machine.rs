//! [`KvMachine`]: the key/value service as a [`StateMachine`] for the Raft log. Pure.
//!
//! It is Lab 2's state machine ([`KvState`], shared through `common`), with Append
//! returning nothing as Lab 4 asks, behind the commands that go through the log. Reads go
//! through the log too: a Get is applied at its place in the log order, so it sees every
//! write committed before it, and a deposed leader cut off in a minority can never answer
//! one (checklist G17).

use crate::rsm::StateMachine;
use lab2_kvsrv::kv_state::{KvState, Write};
use lab2_kvsrv::rpc::PutAppendArgs;
use serde::{Deserialize, Serialize};

/// A client operation, as an entry of the Raft log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvCommand {
    /// Read `key`. No clerk identity: a repeated read is harmless.
    Get {
        /// The key.
        key: String,
    },
    /// Write `seq` of clerk `client_id`, applied once however often it is committed.
    Write {
        /// Put or Append.
        kind: Write,
        /// The key.
        key: String,
        /// The value to put or append.
        value: String,
        /// The clerk.
        client_id: u64,
        /// The clerk's write number, from 1.
        seq: u64,
    },
}

impl KvCommand {
    /// The write a clerk's Put or Append RPC asks for.
    pub fn write(kind: Write, args: PutAppendArgs) -> KvCommand {
        KvCommand::Write {
            kind,
            key: args.key,
            value: args.value,
            client_id: args.client_id,
            seq: args.seq,
        }
    }

    /// The key the command is about.
    pub fn key(&self) -> &str {
        match self {
            KvCommand::Get { key } | KvCommand::Write { key, .. } => key,
        }
    }
}

/// The replicated key/value state. Its serialized form is the service's snapshot: the
/// map and the duplicate table (so exactly-once survives a restart from a snapshot).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvMachine {
    state: KvState,
}

impl KvMachine {
    /// An empty store.
    pub fn new() -> KvMachine {
        KvMachine::default()
    }

    /// The key/value state.
    pub fn state(&self) -> &KvState {
        &self.state
    }
}

impl StateMachine for KvMachine {
    type Command = KvCommand;
    /// The value read by a Get; `""` for a write.
    type Output = String;

    fn apply(&mut self, command: KvCommand) -> String {
        match command {
            KvCommand::Get { key } => self.state.get(&key),
            KvCommand::Write {
                kind,
                key,
                value,
                client_id,
                seq,
            } => self.state.write(client_id, seq, kind, &key, &value),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        crate::rsm::encode_machine(self)
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), common::codec::CodecError> {
        crate::rsm::decode_machine(self, snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(kind: Write, key: &str, value: &str, client_id: u64, seq: u64) -> KvCommand {
        KvCommand::Write {
            kind,
            key: key.into(),
            value: value.into(),
            client_id,
            seq,
        }
    }

    fn get(key: &str) -> KvCommand {
        KvCommand::Get { key: key.into() }
    }

    #[test]
    fn a_get_sees_every_write_applied_before_it() {
        let mut m = KvMachine::new();
        assert_eq!(m.apply(get("k")), "");
        assert_eq!(m.apply(write(Write::Put, "k", "a", 1, 1)), "");
        assert_eq!(
            m.apply(write(Write::Append, "k", "b", 1, 2)),
            "",
            "Append returns nothing"
        );
        assert_eq!(m.apply(get("k")), "ab");
    }

    /// Checklist G15: a write committed twice (the clerk retried it at another leader) is
    /// applied once.
    #[test]
    fn a_write_committed_twice_applies_once() {
        let mut m = KvMachine::new();
        m.apply(write(Write::Append, "k", "x", 1, 1));
        m.apply(write(Write::Append, "k", "y", 2, 1));
        m.apply(write(Write::Append, "k", "x", 1, 1));
        assert_eq!(m.apply(get("k")), "xy");
    }

    #[test]
    fn a_snapshot_restores_data_and_duplicate_table() {
        let mut m = KvMachine::new();
        m.apply(write(Write::Append, "k", "x", 1, 1));
        let bytes = common::codec::encode(&m).expect("encodes");
        let mut restored: KvMachine = common::codec::decode(&bytes).expect("decodes");
        assert_eq!(restored, m);
        restored.apply(write(Write::Append, "k", "x", 1, 1));
        assert_eq!(
            restored.apply(get("k")),
            "x",
            "the retry is still recognised"
        );
    }
}
