//! The RPCs between a [`crate::Clerk`] and the [`crate::KvServer`], one typed descriptor
//! each: the KV arguments shared by every KV lab ([`common::kv_rpc`]), under the course's
//! names. Replies are plain values: a Get's value, nothing for a Put, the old value for an
//! Append.

pub use common::kv_rpc::{GetArgs, PutAppendArgs};
use common::labrpc::Rpc;

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";

/// `KVServer.Get`: the value of a key (`""` if missing).
pub const GET: Rpc<GetArgs, String> = Rpc::new(SERVICE, "Get");

/// `KVServer.Put`: sets a key.
pub const PUT: Rpc<PutAppendArgs, ()> = Rpc::new(SERVICE, "Put");

/// `KVServer.Append`: appends to a key's value; answers the value before.
pub const APPEND: Rpc<PutAppendArgs, String> = Rpc::new(SERVICE, "Append");
