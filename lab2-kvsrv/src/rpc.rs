//! The RPC messages between a [`crate::Clerk`] and the [`crate::KvServer`]: the KV
//! arguments shared by every KV lab ([`common::kv_rpc`]), under the course's service name.
//! Replies are plain values: a Get's value, nothing for a Put, the old value for an Append.

pub use common::kv_rpc::{GetArgs, PutAppendArgs};

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";
