//! [`ShardKv`]: one server of a replica group (the course's `shardkv/server.go`). A group
//! is a Raft cluster, as in Lab 4, that serves the shards its current configuration gives
//! it: it polls the controller for newer configurations, adopts them one at a time, in
//! order, through its log, and hands shards to (and receives them from) other groups.
//! A key in a shard the group does not serve is answered with
//! [`ShardKvError::WrongGroup`](crate::shardkv::rpc::ShardKvError::WrongGroup).

use crate::config::Config;
use crate::shardkv::ends::MakeEnd;
use crate::shardkv::rpc::{
    APPEND, GET, GetArgs, GetReply, PUT, PutAppendArgs, PutAppendReply, SERVICE,
};
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use lab3_raft::Raft;
use std::sync::Arc;

/// A shard group's server. Cloning gives another handle to it.
#[derive(Clone)]
pub struct ShardKv {
    // Lab 5A: your Raft peer, your state, what your tasks share.
}

impl ShardKv {
    /// The course's `StartServer`: server `me` of group `gid`, whose Raft ends are
    /// `servers`, restored from `persister`, snapshotting when the persisted Raft state
    /// reaches `max_raft_state` bytes (never if `None`). It learns configurations through
    /// `ctrlers` (make a `crate::ctrler::Clerk` of them) and reaches other groups' servers,
    /// by the names a configuration lists, through `make_end`. Returns at once. Called by
    /// the tester.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        _servers: Vec<ClientEnd>,
        _me: usize,
        _persister: Arc<dyn Persister>,
        _max_raft_state: Option<usize>,
        _gid: u64,
        _ctrlers: Vec<ClientEnd>,
        _make_end: MakeEnd,
    ) -> ShardKv {
        todo!("Lab 5A: ShardKv::start")
    }

    /// The services the tester adds to this server's RPC server: `ShardKV` (the handlers
    /// below, and those you add for moving shards) and its Raft peer's.
    pub fn services(&self) -> Vec<Service> {
        let (get, put, append) = (self.clone(), self.clone(), self.clone());
        let kv = Service::new(SERVICE)
            .handle(GET, move |args| {
                let server = get.clone();
                async move { server.get(args).await }
            })
            .handle(PUT, move |args| {
                let server = put.clone();
                async move { server.put(args).await }
            })
            .handle(APPEND, move |args| {
                let server = append.clone();
                async move { server.append(args).await }
            });
        vec![kv, self.raft().service()]
    }

    /// `Get`, if the group serves the key's shard.
    async fn get(&self, _args: GetArgs) -> GetReply {
        todo!("Lab 5A: ShardKv::get")
    }

    /// `Put`, if the group serves the key's shard.
    async fn put(&self, _args: PutAppendArgs) -> PutAppendReply {
        todo!("Lab 5A: ShardKv::put")
    }

    /// `Append`, if the group serves the key's shard.
    async fn append(&self, _args: PutAppendArgs) -> PutAppendReply {
        todo!("Lab 5A: ShardKv::append")
    }

    /// The configuration this server has adopted (the tester's `group_configs` shows it;
    /// no course test calls it).
    pub fn config(&self) -> Config {
        todo!("Lab 5A: ShardKv::config")
    }

    /// This server's Raft peer.
    pub fn raft(&self) -> &Raft {
        todo!("Lab 5A: ShardKv::raft")
    }

    /// Stops the server, its tasks and its Raft peer.
    pub fn kill(&self) {
        todo!("Lab 5A: ShardKv::kill")
    }
}
