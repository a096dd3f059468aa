//! The RPCs between a [`crate::Clerk`] and the [`crate::KvServer`]s, one typed descriptor
//! each (`end.call(GET, &args)`). A reply is a `Result`: the value when the operation
//! was applied, or a [`KvError`] that tells the clerk to try another server.
//!
//! Yours to extend: add what duplicate detection needs to the arguments, and the errors
//! you need to [`KvError`].

use common::labrpc::Rpc;
use serde::{Deserialize, Serialize};

/// Arguments of `Get`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GetArgs {
    /// The key to read.
    pub key: String,
}

/// Arguments of `Put` and `Append`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PutAppendArgs {
    /// The key to write.
    pub key: String,
    /// The value to put or append.
    pub value: String,
    // Lab 4A: add what the servers need to tell a retried request from a new one.
}

/// Why a server did not carry out a request; the clerk tries another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvError {
    /// This server is not the leader (the course's `ErrWrongLeader`).
    WrongLeader,
    // Lab 4A: yours to add.
}

/// Reply of `Get`: the value (`""` if missing).
pub type GetReply = Result<String, KvError>;

/// Reply of `Put` and `Append`.
pub type PutAppendReply = Result<(), KvError>;

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";

/// `KVServer.Get`.
pub const GET: Rpc<GetArgs, GetReply> = Rpc::new(SERVICE, "Get");

/// `KVServer.Put`.
pub const PUT: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Put");

/// `KVServer.Append`.
pub const APPEND: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Append");
