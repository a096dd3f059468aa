//! The RPC messages between a [`crate::Clerk`] and the [`crate::KvServer`]s: the KV
//! arguments shared by every KV lab ([`lab2_kvsrv::rpc`]), and replies that are `Result`s:
//! the value (or `()`) when the operation was applied, or the [`SubmitError`] that tells
//! the clerk to try another server.

use crate::rsm::SubmitError;
use common::labrpc::Rpc;
pub use lab2_kvsrv::rpc::{GetArgs, PutAppendArgs};

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";

/// Reply of `KVServer.Get`: the value (`""` if missing).
pub type GetReply = Result<String, SubmitError>;

/// Reply of `KVServer.Put` and `KVServer.Append`.
pub type PutAppendReply = Result<(), SubmitError>;

/// `KVServer.Get`.
pub const GET: Rpc<GetArgs, GetReply> = Rpc::new(SERVICE, "Get");

/// `KVServer.Put`.
pub const PUT: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Put");

/// `KVServer.Append`.
pub const APPEND: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Append");
