//! The RPC messages between a [`crate::Clerk`] and the [`crate::KvServer`].
//!
//! A Get carries no client identity: reads need no duplicate detection (a repeated read is
//! harmless), so they leave no state on the server. Writes carry the clerk's id and the
//! sequence number of the write.

use serde::{Deserialize, Serialize};

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";

/// Arguments of `KVServer.Get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetArgs {
    /// The key to read.
    pub key: String,
}

/// Arguments of `KVServer.Put` and `KVServer.Append`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutAppendArgs {
    /// The key to write.
    pub key: String,
    /// The value to put or append.
    pub value: String,
    /// The clerk that writes.
    pub client_id: u64,
    /// The clerk's write number, from 1; a retry sends the same number.
    pub seq: u64,
}
