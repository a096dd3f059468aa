//! The `ShardKV` service's RPCs, one typed descriptor each: clients' Get, Put and Append,
//! and the handoff between groups (PullShards, DeleteShards, HoldsShards). Handlers, clerks and the
//! migration code all go through these, so none spells a method name.

use crate::shardkv::migration::{DeleteReply, HoldReply, PullReply, ShardsArgs};
use crate::shardkv::server::{GetReply, PutAppendReply};
use common::labrpc::Rpc;
use lab2_kvsrv::rpc::{GetArgs, PutAppendArgs};

/// The service name, as in the course.
pub const SERVICE: &str = "ShardKV";

/// `ShardKV.Get`.
pub const GET: Rpc<GetArgs, GetReply> = Rpc::new(SERVICE, "Get");

/// `ShardKV.Put`.
pub const PUT: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Put");

/// `ShardKV.Append`.
pub const APPEND: Rpc<PutAppendArgs, PutAppendReply> = Rpc::new(SERVICE, "Append");

/// `ShardKV.PullShards`: a group asks the previous owner for copies of shards.
pub const PULL_SHARDS: Rpc<ShardsArgs, PullReply> = Rpc::new(SERVICE, "PullShards");

/// `ShardKV.DeleteShards`: a group tells the previous owner it may delete them.
pub const DELETE_SHARDS: Rpc<ShardsArgs, DeleteReply> = Rpc::new(SERVICE, "DeleteShards");

/// `ShardKV.HoldsShards`: before it deletes shards it offered, the previous owner asks
/// their new owner whether it has installed them.
pub const HOLDS_SHARDS: Rpc<ShardsArgs, HoldReply> = Rpc::new(SERVICE, "HoldsShards");
