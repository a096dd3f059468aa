//! [`ShardCtrler`]: one replica of the shard controller (the course's
//! `shardctrler/server.go`): a Raft peer and a state machine of configurations, as in
//! Lab 4. Join and Leave rebalance: the shards are divided among the groups as evenly as
//! possible, moving as few as possible, the same way on every replica (iterate in a fixed
//! order: `Config::groups` is a `BTreeMap`). Move moves one shard. Query answers a
//! configuration.

use crate::config::Config;
use crate::ctrler::rpc::{
    CtrlerError, JOIN, JoinArgs, LEAVE, LeaveArgs, MOVE, MoveArgs, QUERY, QueryArgs, SERVICE,
};
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use lab3_raft::Raft;
use std::sync::Arc;

/// A controller replica. Cloning gives another handle to it.
#[derive(Clone)]
pub struct ShardCtrler {
    // Lab 5A: your Raft peer and your configurations (the first, numbered 0, has no groups).
}

impl ShardCtrler {
    /// The course's `StartServer`: replica `me` of the controllers whose Raft ends are
    /// `servers`, restored from `persister`. Returns at once. Called by the tester.
    pub fn start(
        _servers: Vec<ClientEnd>,
        _me: usize,
        _persister: Arc<dyn Persister>,
    ) -> ShardCtrler {
        todo!("Lab 5A: ShardCtrler::start")
    }

    /// The services the tester adds to this replica's RPC server: `ShardCtrler` (the
    /// handlers below) and its Raft peer's.
    pub fn services(&self) -> Vec<Service> {
        let s = self.clone();
        let ctrler = Service::new(SERVICE)
            .handle(JOIN, {
                let s = s.clone();
                move |args| {
                    let s = s.clone();
                    async move { s.join(args).await }
                }
            })
            .handle(LEAVE, {
                let s = s.clone();
                move |args| {
                    let s = s.clone();
                    async move { s.leave(args).await }
                }
            })
            .handle(MOVE, {
                let s = s.clone();
                move |args| {
                    let s = s.clone();
                    async move { s.move_shard(args).await }
                }
            })
            .handle(QUERY, move |args| {
                let s = s.clone();
                async move { s.query(args).await }
            });
        vec![ctrler, self.raft().service()]
    }

    /// `Join`: a new configuration with the groups added, rebalanced.
    async fn join(&self, _args: JoinArgs) -> Result<(), CtrlerError> {
        todo!("Lab 5A: ShardCtrler::join")
    }

    /// `Leave`: a new configuration without the groups, their shards given to the rest.
    async fn leave(&self, _args: LeaveArgs) -> Result<(), CtrlerError> {
        todo!("Lab 5A: ShardCtrler::leave")
    }

    /// `Move`: a new configuration with the shard on the group.
    async fn move_shard(&self, _args: MoveArgs) -> Result<(), CtrlerError> {
        todo!("Lab 5A: ShardCtrler::move_shard")
    }

    /// `Query`: configuration `num` (-1 or beyond the latest: the latest), as of a point
    /// at which every change this replica answered before is included.
    async fn query(&self, _args: QueryArgs) -> Result<Config, CtrlerError> {
        todo!("Lab 5A: ShardCtrler::query")
    }

    /// This replica's Raft peer.
    pub fn raft(&self) -> &Raft {
        todo!("Lab 5A: ShardCtrler::raft")
    }

    /// Stops the replica and its Raft peer.
    pub fn kill(&self) {
        todo!("Lab 5A: ShardCtrler::kill")
    }
}
