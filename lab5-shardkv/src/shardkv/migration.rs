//! Shard migration, the driver's side: the RPCs groups send each other, and the rounds a
//! group's leader runs to pull the shards it is owed and to have the copies it pulled
//! deleted at their previous owner. The rules (what may be pulled, when a deletion is
//! due) are in [`ShardKvMachine`]; this module only carries messages and puts what comes
//! back through the log.
//!
//! A group pulls; it is never pushed to. So an install is proposed by the group that
//! needs it, on its leader, and a round for a group that is down or behind just fails and
//! is tried again next round. Rounds for different previous owners run concurrently,
//! so one dead group does not hold up the shards that live ones can send (challenge 2).

use crate::config::Config;
use crate::shardkv::ends::Ends;
use crate::shardkv::machine::{ShardKvCommand, ShardKvMachine, Transfer};
use crate::shardkv::rpc;
use crate::shardkv::server::ShardKvError;
use crate::shardkv::shard::ShardStatus;
use common::labrpc::Rpc;
use futures::future::join_all;
use lab4_kvraft::machine::KvMachine;
use lab4_kvraft::rsm::Rsm;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Arguments of `ShardKV.PullShards` and `ShardKV.DeleteShards`: shards that move in
/// configuration `num`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardsArgs {
    /// The configuration in which the shards move.
    pub num: u64,
    /// The shards.
    pub shards: Vec<usize>,
}

/// Reply of `ShardKV.PullShards`: copies of the shards.
pub type PullReply = Result<BTreeMap<usize, KvMachine>, ShardKvError>;

/// Reply of `ShardKV.DeleteShards`: `Ok` once the shards are deleted.
pub type DeleteReply = Result<(), ShardKvError>;

/// Reply of `ShardKV.HoldsShards`: `Ok` if the group has installed the shards.
pub type HoldReply = Result<(), ShardKvError>;

/// One round of pulls: every shard this group is owed, from each previous owner at once.
pub async fn pull_round(rsm: &Rsm<ShardKvMachine>, ends: &Ends) {
    let transfers = rsm.with_machine(|m| m.transfers(ShardStatus::Pulling));
    join_all(transfers.into_iter().map(|t| pull(rsm, ends, t))).await;
}

/// One round of deletion requests: every shard pulled whose previous owner has not
/// confirmed it deleted its copy.
pub async fn collect_round(rsm: &Rsm<ShardKvMachine>, ends: &Ends) {
    let transfers = rsm.with_machine(|m| m.transfers(ShardStatus::Collecting));
    join_all(transfers.into_iter().map(|t| collect(rsm, ends, t))).await;
}

/// Asks the previous owner's servers in turn for the shards, and puts the first copy
/// through the log.
async fn pull(rsm: &Rsm<ShardKvMachine>, ends: &Ends, t: Transfer) {
    let args = ShardsArgs {
        num: t.num,
        shards: t.shards,
    };
    if let Some(shards) = first_ok(ends, &t.servers, rpc::PULL_SHARDS, &args).await {
        tracing::debug!(num = args.num, from = t.gid, shards = ?args.shards, "pulled");
        let install = ShardKvCommand::InstallShards {
            num: args.num,
            shards,
        };
        // Not applied (lost leadership, say)? The next round pulls again.
        let _ = rsm.submit(install).await;
    }
}

/// Asks the previous owner's servers in turn to delete the shards, and once one says
/// they are deleted, puts that through the log.
async fn collect(rsm: &Rsm<ShardKvMachine>, ends: &Ends, t: Transfer) {
    let args = ShardsArgs {
        num: t.num,
        shards: t.shards,
    };
    if let Some(()) = first_ok(ends, &t.servers, rpc::DELETE_SHARDS, &args).await {
        tracing::debug!(num = args.num, at = t.gid, shards = ?args.shards, "deleted by previous owner");
        let collected = ShardKvCommand::ShardsCollected {
            num: args.num,
            shards: args.shards,
        };
        let _ = rsm.submit(collected).await;
    }
}

/// Whether the owners of `shards` in `config` (configuration `num`) have installed them,
/// asked of each owner's own servers as `config` names them. A deletion request says who
/// sent it, but nothing proves it (a labrpc caller has no identity): this answer, from
/// the servers the configuration names, is what makes deleting the copies safe.
pub async fn held_by_owners(ends: &Ends, config: &Config, num: u64, shards: &[usize]) -> bool {
    let mut by_gid: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for &shard in shards {
        let Some(&gid) = config.shards.get(shard) else {
            return false;
        };
        by_gid.entry(gid).or_default().push(shard);
    }
    for (gid, shards) in by_gid {
        let Some(servers) = config.groups.get(&gid) else {
            return false;
        };
        let ask = ShardsArgs { num, shards };
        if first_ok(ends, servers, rpc::HOLDS_SHARDS, &ask)
            .await
            .is_none()
        {
            tracing::debug!(num, gid, shards = ?ask.shards, "new owner does not hold them (yet)");
            return false;
        }
    }
    true
}

/// Calls `rpc` on `servers` in turn until one answers `Ok`; that answer, or `None`
/// if none did (down, behind, or not the leader: the next round tries again).
async fn first_ok<R: DeserializeOwned>(
    ends: &Ends,
    servers: &[String],
    rpc: Rpc<ShardsArgs, Result<R, ShardKvError>>,
    args: &ShardsArgs,
) -> Option<R> {
    for server in servers {
        let end = ends.get(server);
        if let Ok(Ok(value)) = end.call(rpc, args).await {
            return Some(value);
        }
    }
    None
}
