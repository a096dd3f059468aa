//! The controller's RPCs (the course's `shardctrler/common.go`), one typed descriptor each.
//! Yours to extend: add what duplicate detection needs, and the errors you need.

use crate::config::Config;
use common::labrpc::Rpc;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Arguments of `Join`: new groups, gid → the names of its servers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinArgs {
    /// The groups that join.
    pub servers: BTreeMap<u64, Vec<String>>,
}

/// Arguments of `Leave`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeaveArgs {
    /// The groups that leave.
    pub gids: Vec<u64>,
}

/// Arguments of `Move`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MoveArgs {
    /// The shard that moves.
    pub shard: usize,
    /// The group it moves to.
    pub gid: u64,
}

/// Arguments of `Query`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryArgs {
    /// The configuration wanted; -1, or a number beyond the latest, for the latest.
    pub num: i64,
}

/// Why a controller did not carry out a request; the clerk tries another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CtrlerError {
    /// Not the leader (the course's `WrongLeader`).
    WrongLeader,
}

/// The service name, as in the course.
pub const SERVICE: &str = "ShardCtrler";

/// `ShardCtrler.Join`.
pub const JOIN: Rpc<JoinArgs, Result<(), CtrlerError>> = Rpc::new(SERVICE, "Join");

/// `ShardCtrler.Leave`.
pub const LEAVE: Rpc<LeaveArgs, Result<(), CtrlerError>> = Rpc::new(SERVICE, "Leave");

/// `ShardCtrler.Move`.
pub const MOVE: Rpc<MoveArgs, Result<(), CtrlerError>> = Rpc::new(SERVICE, "Move");

/// `ShardCtrler.Query`.
pub const QUERY: Rpc<QueryArgs, Result<Config, CtrlerError>> = Rpc::new(SERVICE, "Query");
