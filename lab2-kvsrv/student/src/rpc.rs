//! The RPCs between a [`crate::Clerk`] and the [`crate::KvServer`], one typed descriptor
//! each: a call names its descriptor (`end.call(GET, &args)`) and the handler registered
//! for it has the same argument and reply types, so the two cannot disagree.
//!
//! Yours to extend: add the fields your duplicate detection needs. Replies are plain values
//! (a Get's value, nothing for a Put, the old value for an Append); change them too if you
//! need to, here and in the handlers.

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
    // Lab 2: add what the server needs to tell a retried request from a new one.
}

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";

/// `KVServer.Get`: the value of a key (`""` if missing).
pub const GET: Rpc<GetArgs, String> = Rpc::new(SERVICE, "Get");

/// `KVServer.Put`: sets a key.
pub const PUT: Rpc<PutAppendArgs, ()> = Rpc::new(SERVICE, "Put");

/// `KVServer.Append`: appends to a key's value; answers the value before.
pub const APPEND: Rpc<PutAppendArgs, String> = Rpc::new(SERVICE, "Append");
