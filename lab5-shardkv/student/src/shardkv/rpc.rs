//! The `ShardKV` service's RPCs (the course's `shardkv/common.go`), one typed descriptor
//! each. Yours to extend: what duplicate detection needs, the errors you need, and the
//! RPCs between groups that move shards.

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
    // Lab 5A: add what the groups need to tell a retried request from a new one.
}

/// Why a server did not carry out a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardKvError {
    /// Not the leader of its group: try another server of the group.
    WrongLeader,
    /// The group does not serve the key's shard (now): ask the controller again.
    WrongGroup,
}

/// Reply of `Get`: the value (`""` if missing).
pub type GetReply = Result<String, ShardKvError>;

/// Reply of `Put` and `Append`.
pub type PutAppendReply = Result<(), ShardKvError>;

/// The service name, as in the course.
pub const SERVICE: &str = "ShardKV";

/// `ShardKV.Get`.
pub const GET: Rpc<GetArgs, GetReply> = Rpc::new(SERVICE, "Get");

/// `ShardKV.Put`.
pub const PUT: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Put");

/// `ShardKV.Append`.
pub const APPEND: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Append");
