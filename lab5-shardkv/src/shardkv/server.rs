//! [`ShardKv`]: one server of a replica group: a [`ShardKvMachine`] on Lab 4's [`Rsm`],
//! the `ShardKV` RPC service, and a task that polls the controller about every 100 ms
//! and, on the group's leader, puts each new configuration through the log in order.

use crate::config::Config;
use crate::ctrler;
use crate::shardkv::machine::{ShardKvCommand, ShardKvMachine, WrongGroup};
use common::kv_rpc::{GetArgs, PutAppendArgs};
use common::kv_state::Write;
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::sim;
use lab3_raft::Raft;
use lab4_kvraft::machine::KvCommand;
use lab4_kvraft::rsm::{Rsm, SubmitError};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Makes an end to any server by name (the course's `make_end`).
pub type MakeEnd = Arc<dyn Fn(&str) -> ClientEnd + Send + Sync>;

/// How often a group's leader asks the controller for the next configuration.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Why a server did not apply an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardKvError {
    /// The key's shard is not this group's in its current configuration: ask the
    /// controller for the latest one.
    WrongGroup,
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
    poller: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl ShardKv {
    /// The course's `StartServer`: server `me` of group `gid`, whose Raft ends are
    /// `servers`, restored from `persister`, snapshotting at `max_raft_state` bytes (never
    /// if `None`), polling the controller through `ctrlers`. `make_end` reaches other
    /// groups' servers, which shard migration (5B) needs; static sharding (5A) does not.
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
        drop(make_end);
        let rsm = Rsm::start(
            servers,
            me,
            persister,
            max_raft_state,
            ShardKvMachine::new(gid),
        );
        let server = ShardKv {
            rsm,
            poller: Arc::new(Mutex::new(None)),
        };
        let poller = tokio::spawn(server.clone().poll(ctrler::Clerk::new(ctrlers)));
        *server.poller.lock().unwrap_or_else(|e| e.into_inner()) = Some(poller);
        server
    }

    /// On the leader, puts each configuration after the group's current one through the
    /// log, one at a time and in order.
    async fn poll(self, mut ctrler: ctrler::Clerk) {
        loop {
            sim::sleep(POLL_INTERVAL).await;
            if self.rsm.killed() {
                return;
            }
            if !self.raft().get_state().1 {
                continue;
            }
            let next = self.config().num + 1;
            let config = ctrler.query(next as i64).await;
            if config.num == next {
                // Not applied (lost leadership, say)? The next poll proposes it again.
                let _ = self.rsm.submit(ShardKvCommand::Config(config)).await;
            }
        }
    }

    /// The group's current configuration on this server.
    pub fn config(&self) -> Config {
        self.rsm.with_machine(|m| m.config().clone())
    }

    /// The services to register: `ShardKV` and `Raft`.
    pub fn services(&self) -> Vec<Service> {
        let (get, put, append) = (self.clone(), self.clone(), self.clone());
        let service = Service::new("ShardKV")
            .method("Get", move |args: GetArgs| {
                let server = get.clone();
                async move { server.submit(KvCommand::Get { key: args.key }).await }
            })
            .method("Put", move |args: PutAppendArgs| {
                let server = put.clone();
                async move { server.write(Write::Put, args).await }
            })
            .method("Append", move |args: PutAppendArgs| {
                let server = append.clone();
                async move { server.write(Write::Append, args).await }
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
            Ok(Err(WrongGroup)) => Err(ShardKvError::WrongGroup),
            Err(e) => Err(ShardKvError::Submit(e)),
        }
    }

    /// Its Raft peer.
    pub fn raft(&self) -> &Raft {
        self.rsm.raft()
    }

    /// Stops it and its poller.
    pub fn kill(&self) {
        self.rsm.kill();
        if let Some(poller) = self.poller.lock().unwrap_or_else(|e| e.into_inner()).take() {
            poller.abort();
        }
    }
}
