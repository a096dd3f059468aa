//! The course's `shardgrp/shardrpc` package: the three RPCs the controller moves a shard
//! with. Each names the configuration number (`num`) of the change it belongs to; a group
//! refuses one older than the newest it has seen for that shard, which fences off a
//! controller that a newer one has overtaken. Get and Put are the versioned KV's
//! (`common::kvtest::rpc`), on the same `KVServer` service.

use crate::shardcfg::{Tnum, Tshid};
use common::kvtest::rpc::{KvErr, SERVICE};
use common::labrpc::Rpc;
use serde::{Deserialize, Serialize};

/// Arguments of `FreezeShard`: stop serving `shard` and hand over its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeShardArgs {
    /// The shard.
    pub shard: Tshid,
    /// The change's configuration number.
    pub num: Tnum,
}

/// Reply of `FreezeShard`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeShardReply {
    /// The shard's keys, values and versions, encoded (empty unless `err` is `Ok`).
    pub state: Vec<u8>,
    /// The newest configuration number the group has seen for the shard.
    pub num: Tnum,
    /// `Ok`; `ErrNoKey` if the group holds no copy of the shard (it moved on under this
    /// very change, or never came); `ErrVersion` if `num` is older than the group's.
    pub err: KvErr,
}

/// Arguments of `InstallShard`: serve `shard`, starting from `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallShardArgs {
    /// The shard.
    pub shard: Tshid,
    /// What `FreezeShard` answered at the shard's last home.
    pub state: Vec<u8>,
    /// The change's configuration number.
    pub num: Tnum,
}

/// Reply of `InstallShard` and of `DeleteShard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardReply {
    /// `Ok` (a repeat of a change already made is `Ok` too); `ErrVersion` if `num` is
    /// older than the group's, or the request does not fit the shard's state there.
    pub err: KvErr,
}

/// Arguments of `DeleteShard`: forget a frozen shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteShardArgs {
    /// The shard.
    pub shard: Tshid,
    /// The change's configuration number.
    pub num: Tnum,
}

/// `KVServer.FreezeShard`.
pub const FREEZE_SHARD: Rpc<FreezeShardArgs, FreezeShardReply> = Rpc::new(SERVICE, "FreezeShard");

/// `KVServer.InstallShard`.
pub const INSTALL_SHARD: Rpc<InstallShardArgs, ShardReply> = Rpc::new(SERVICE, "InstallShard");

/// `KVServer.DeleteShard`.
pub const DELETE_SHARD: Rpc<DeleteShardArgs, ShardReply> = Rpc::new(SERVICE, "DeleteShard");
