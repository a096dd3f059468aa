//! [`ApplyMsg`]: what a Raft peer hands its service, in log order.

use serde::{Deserialize, Serialize};

/// One message on a Raft peer's apply channel.
///
/// A peer sends these strictly in index order: a `Snapshot` is never sent after a command
/// with a higher index, and never with an index below what the service already applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyMsg {
    /// A committed log entry.
    Command {
        /// The entry's log index (the first entry is 1).
        index: u64,
        /// The term the entry was created in.
        term: u64,
        /// The service's encoded command.
        command: Vec<u8>,
    },
    /// A snapshot the service must install in place of its state.
    Snapshot {
        /// The last log index the snapshot covers (`last_included_index`).
        index: u64,
        /// The term of that entry (`last_included_term`).
        term: u64,
        /// The service's encoded state.
        snapshot: Vec<u8>,
    },
}

impl ApplyMsg {
    /// The log index this message brings the service up to.
    pub fn index(&self) -> u64 {
        match self {
            ApplyMsg::Command { index, .. } | ApplyMsg::Snapshot { index, .. } => *index,
        }
    }
}
