//! [`ShardKv`]: one server of a replica group: a [`ShardKvMachine`] on Lab 4's [`Rsm`],
//! the `ShardKV` RPC service (clerks' Get, Put and Append; other groups' PullShards,
//! DeleteShards and HoldsShards), and three background tasks that act only while this server leads its
//! group:
//!
//! - the poller asks the controller for the configuration after the group's current one
//!   about every 100 ms (as the course says), once every shard is settled, and puts it
//!   through the log;
//! - the puller fetches the shards the group is owed ([`migration::pull_round`]);
//! - the collector has pulled shards deleted at their previous owner
//!   ([`migration::collect_round`]).
//!
//! All three are aborted by [`ShardKv::kill`]: the ends they use were made with
//! `make_end` and stay enabled after a shutdown, so a killed server must stop them itself.

use crate::config::Config;
use crate::ctrler;
use crate::shardkv::ends::{Ends, MakeEnd};
use crate::shardkv::machine::{Deletion, NotReady, ShardKvCommand, ShardKvMachine, WrongGroup};
use crate::shardkv::migration::{self, DeleteReply, HoldReply, PullReply, ShardsArgs};
use crate::shardkv::rpc;
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::sim;
use lab2_kvsrv::kv_state::Write;
use lab2_kvsrv::rpc::PutAppendArgs;
use lab3_raft::Raft;
use lab4_kvraft::machine::KvCommand;
use lab4_kvraft::rsm::{Rsm, SubmitError};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often a group's leader asks the controller for the next configuration.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How often a group's leader retries pulls and deletion requests that are due.
pub const MIGRATION_INTERVAL: Duration = Duration::from_millis(50);

/// Why a server did not do what it was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardKvError {
    /// The key's shard is not served by this group now: ask the controller for the
    /// latest configuration (or wait for the shard to arrive) and retry.
    WrongGroup(WrongGroup),
    /// (Between groups.) This group is not at the configuration asked about yet.
    NotReady(NotReady),
    /// This server cannot get it applied: try another server of the group.
    Submit(SubmitError),
}

/// Reply of `ShardKV.Get`.
pub type GetReply = Result<String, ShardKvError>;
/// Reply of `ShardKV.Put` and `ShardKV.Append`.
pub type PutAppendReply = Result<(), ShardKvError>;

/// A shardkv server. Cloning gives another handle to it.
#[derive(Clone)]
pub struct ShardKv {
    rsm: Rsm<ShardKvMachine>,
    /// Ends to other groups' servers.
    ends: Ends,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl ShardKv {
    /// The course's `StartServer`: server `me` of group `gid`, whose Raft ends are
    /// `servers`, restored from `persister`, snapshotting at `max_raft_state` bytes (never
    /// if `None`), polling the controller through `ctrlers`, and reaching other groups'
    /// servers through `make_end`.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
        gid: u64,
        ctrlers: Vec<ClientEnd>,
        make_end: MakeEnd,
    ) -> ShardKv {
        let rsm = Rsm::start(
            servers,
            me,
            persister,
            max_raft_state,
            ShardKvMachine::new(gid),
        );
        let ends = Ends::new(make_end);
        let server = ShardKv {
            rsm,
            ends: ends.clone(),
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        let ctrler = Arc::new(tokio::sync::Mutex::new(ctrler::Clerk::new(ctrlers)));
        let tasks = vec![
            server.spawn_while_leader(POLL_INTERVAL, move |s| {
                let ctrler = ctrler.clone();
                async move { s.poll(&mut *ctrler.lock().await).await }
            }),
            server.spawn_while_leader(MIGRATION_INTERVAL, {
                let ends = ends.clone();
                move |s| {
                    let ends = ends.clone();
                    async move { migration::pull_round(&s.rsm, &ends).await }
                }
            }),
            server.spawn_while_leader(MIGRATION_INTERVAL, move |s| {
                let ends = ends.clone();
                async move { migration::collect_round(&s.rsm, &ends).await }
            }),
        ];
        *server.tasks.lock().unwrap_or_else(|e| e.into_inner()) = tasks;
        server
    }

    /// Runs `round` every `interval` while this server is its group's leader, the first
    /// the moment it becomes leader, until it is killed. A follower waits for Raft to say
    /// it leads ([`Raft::state_change`]) rather than polling.
    fn spawn_while_leader<F, Fut>(&self, interval: Duration, round: F) -> JoinHandle<()>
    where
        F: Fn(ShardKv) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let server = self.clone();
        sim::spawn(async move {
            loop {
                if server.rsm.killed() {
                    return;
                }
                let state = server.raft().get_state();
                if !state.1 {
                    let _ = server.raft().state_change(state).await;
                    continue;
                }
                round(server.clone()).await;
                sim::sleep(interval).await;
            }
        })
    }

    /// Puts the configuration after the group's current one through the log, if the
    /// controller has it and every shard is settled.
    async fn poll(&self, ctrler: &mut ctrler::Clerk) {
        let (num, settled) = self.rsm.with_machine(|m| (m.config().num, m.settled()));
        if !settled {
            return;
        }
        let config = ctrler.query((num + 1) as i64).await;
        if config.num == num + 1 {
            // Not applied (lost leadership, say)? The next poll proposes it again.
            let _ = self.rsm.submit(ShardKvCommand::Config(config)).await;
        }
    }

    /// The group's current configuration on this server.
    pub fn config(&self) -> Config {
        self.rsm.with_machine(|m| m.config().clone())
    }

    /// The services to register: `ShardKV` and `Raft`.
    pub fn services(&self) -> Vec<Service> {
        let (get, put, append) = (self.clone(), self.clone(), self.clone());
        let (pull, delete, holds) = (self.clone(), self.clone(), self.clone());
        let service = Service::new(rpc::SERVICE)
            .handle(rpc::GET, move |args| {
                let server = get.clone();
                async move { server.submit(KvCommand::Get { key: args.key }).await }
            })
            .handle(rpc::PUT, move |args| {
                let server = put.clone();
                async move { server.write(Write::Put, args).await }
            })
            .handle(rpc::APPEND, move |args| {
                let server = append.clone();
                async move { server.write(Write::Append, args).await }
            })
            .handle(rpc::PULL_SHARDS, move |args| {
                let server = pull.clone();
                async move { server.pull_shards(&args) }
            })
            .handle(rpc::DELETE_SHARDS, move |args| {
                let server = delete.clone();
                async move { server.delete_shards(args).await }
            })
            .handle(rpc::HOLDS_SHARDS, move |args| {
                let server = holds.clone();
                async move { server.holds_shards(&args) }
            });
        vec![service, self.raft().service()]
    }

    async fn write(&self, kind: Write, args: PutAppendArgs) -> PutAppendReply {
        let op = KvCommand::write(kind, args);
        self.submit(op).await.map(|_| ())
    }

    async fn submit(&self, op: KvCommand) -> GetReply {
        match self.rsm.submit(ShardKvCommand::Op(op)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(wrong)) => Err(ShardKvError::WrongGroup(wrong)),
            Err(e) => Err(ShardKvError::Submit(e)),
        }
    }

    /// Another group pulls shards it owns in configuration `args.num` and this group
    /// offers. Answered from this replica's state, leader or not: offered shards are
    /// frozen.
    fn pull_shards(&self, args: &ShardsArgs) -> PullReply {
        if self.rsm.killed() {
            return Err(ShardKvError::Submit(SubmitError::WrongLeader));
        }
        self.rsm
            .with_machine(|m| m.handoff(args.num, &args.shards))
            .map_err(ShardKvError::NotReady)
    }

    /// The new owner of shards this group offered in configuration `args.num` has them:
    /// delete them through the log, and answer once they are gone. The request itself
    /// proves nothing (anyone can send one), so the shards still offered are deleted only
    /// once their owners' servers, as the configuration names them, confirm they hold
    /// them; until then the answer is [`NotReady`] and the copies stay.
    async fn delete_shards(&self, args: ShardsArgs) -> DeleteReply {
        if self.rsm.killed() {
            return Err(ShardKvError::Submit(SubmitError::WrongLeader));
        }
        let (deletion, config) = self
            .rsm
            .with_machine(|m| (m.deletion(args.num, &args.shards), m.config().clone()));
        match deletion {
            Err(not_ready) => Err(ShardKvError::NotReady(not_ready)),
            Ok(Deletion::Done) => Ok(()),
            Ok(Deletion::Needed(offered)) => {
                if !migration::held_by_owners(&self.ends, &config, args.num, &offered).await {
                    return Err(ShardKvError::NotReady(NotReady));
                }
                let delete = ShardKvCommand::DeleteShards {
                    num: args.num,
                    shards: offered,
                };
                // Once applied, the group is at `num` or past it, so they are deleted.
                match self.rsm.submit(delete).await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(ShardKvError::Submit(e)),
                }
            }
        }
    }

    /// The previous owner of shards this group owns in configuration `args.num` asks
    /// whether they are installed here. Answered from this replica's state, leader or
    /// not: what it has applied is committed.
    fn holds_shards(&self, args: &ShardsArgs) -> HoldReply {
        if self.rsm.killed() {
            return Err(ShardKvError::Submit(SubmitError::WrongLeader));
        }
        self.rsm
            .with_machine(|m| m.holds(args.num, &args.shards))
            .map_err(ShardKvError::NotReady)
    }

    /// Its Raft peer.
    pub fn raft(&self) -> &Raft {
        self.rsm.raft()
    }

    /// Stops it and its background tasks.
    pub fn kill(&self) {
        self.rsm.kill();
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}
