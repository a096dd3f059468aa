//! [`ShardGrpServer`]: one replica of a shard group (the course's `shardgrp/server.go`),
//! and [`ShardGrpMachine`], the group's state as the log's state machine. Every RPC, the
//! shard moves included, goes through the rsm.
//!
//! Group [`GID1`] starts serving every shard; any other group none. Remember, per shard,
//! the newest configuration number (`num`) any shard RPC named, and refuse older ones.

#[allow(unused_imports)] // Lab 5A: what the handlers need.
use crate::shardcfg::{GID1, Tgid};
#[allow(unused_imports)]
use crate::shardgrp::rpc::{
    DELETE_SHARD, DeleteShardArgs, FREEZE_SHARD, FreezeShardArgs, FreezeShardReply,
    INSTALL_SHARD, InstallShardArgs, ShardReply,
};
use common::codec::CodecError;
#[allow(unused_imports)]
use common::kvtest::rpc::{GET, GetArgs, GetReply, KvErr, PUT, PutArgs, PutReply, SERVICE};
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::tester1::Daemon;
use lab4_kvraft_2026::rsm::{Rsm, StateMachine};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a log entry asks of the group. Yours to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// A Get.
    Get(GetArgs),
    /// A versioned Put.
    Put(PutArgs),
    /// `FreezeShard`.
    Freeze(FreezeShardArgs),
    /// `InstallShard`.
    Install(InstallShardArgs),
    /// `DeleteShard`.
    Delete(DeleteShardArgs),
}

/// What applying an [`Op`] answered. Yours to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rep {
    /// A Get's reply.
    Get(GetReply),
    /// A Put's reply.
    Put(PutReply),
    /// A Freeze's reply.
    Freeze(FreezeShardReply),
    /// An Install's or a Delete's reply.
    Shard(ShardReply),
}

/// The group's shards: for each, what the group holds of it (serving, frozen, or
/// nothing), and the newest configuration number seen for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardGrpMachine {
    // Lab 5A: the shards.
}

impl ShardGrpMachine {
    /// Group `gid` before its first entry.
    pub fn new(_gid: Tgid) -> ShardGrpMachine {
        ShardGrpMachine {}
    }
}

impl StateMachine for ShardGrpMachine {
    type Command = Op;
    type Output = Rep;

    fn apply(&mut self, _op: Op) -> Rep {
        todo!("Lab 5A: ShardGrpMachine::apply")
    }

    fn snapshot(&self) -> Vec<u8> {
        todo!("Lab 5A: ShardGrpMachine::snapshot")
    }

    fn restore(&mut self, _snapshot: &[u8]) -> Result<(), CodecError> {
        todo!("Lab 5A: ShardGrpMachine::restore")
    }
}

/// One replica of a shard group. Cloning gives another handle to it.
#[derive(Clone)]
pub struct ShardGrpServer {
    #[allow(dead_code)] // Lab 5A: the handlers submit to it.
    rsm: Rsm<ShardGrpMachine>,
}

impl ShardGrpServer {
    /// Starts replica `me` of group `gid` (`StartServerShardGrp`). Called by the tester.
    pub fn start(
        servers: Vec<ClientEnd>,
        gid: Tgid,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
    ) -> ShardGrpServer {
        let machine = ShardGrpMachine::new(gid);
        ShardGrpServer {
            rsm: Rsm::make(servers, me, persister, max_raft_state, machine),
        }
    }

    /// The `KVServer` service: `Get`, `Put`, `FreezeShard`, `InstallShard` and
    /// `DeleteShard`, each submitted to the rsm. Registered by the tester beside Raft's.
    pub fn service(&self) -> Service {
        todo!("Lab 5A: ShardGrpServer::service")
    }
}

impl Daemon for ShardGrpServer {
    fn services(&self) -> Vec<Service> {
        vec![self.service(), self.rsm.raft().service()]
    }
}
