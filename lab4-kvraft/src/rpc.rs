//! The RPC messages between a [`crate::Clerk`] and the [`crate::KvServer`]s.
//!
//! Replies are `Result`s: the value (or `()`) when the operation was applied, or the
//! [`SubmitError`] that tells the clerk to try another server.

use crate::rsm::SubmitError;
use serde::{Deserialize, Serialize};

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";

/// Arguments of `KVServer.Get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetArgs {
    /// The key to read.
    pub key: String,
}

/// Reply of `KVServer.Get`: the value (`""` if missing).
pub type GetReply = Result<String, SubmitError>;

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

/// Reply of `KVServer.Put` and `KVServer.Append`.
pub type PutAppendReply = Result<(), SubmitError>;
