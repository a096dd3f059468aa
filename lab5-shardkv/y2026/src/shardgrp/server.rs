//! [`ShardGrpServer`]: one replica of a shard group (`shardgrp.KVServer`). Every RPC, the
//! shard moves included, is a command submitted to the rsm and answered with what the
//! [`ShardGrpMachine`] returned, or `ErrWrongLeader`.

use crate::shardcfg::Tgid;
use crate::shardgrp::machine::{Op, Rep, ShardGrpMachine};
use crate::shardgrp::rpc::{
    DELETE_SHARD, FREEZE_SHARD, FreezeShardReply, INSTALL_SHARD, ShardReply,
};
use common::kvtest::rpc::{GET, GetReply, KvErr, PUT, PutReply, SERVICE};
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::tester1::Daemon;
use lab3_raft::Raft;
use lab4_kvraft_2026::rsm::Rsm;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;

/// One replica of a shard group. Cloning gives another handle to it.
#[derive(Clone)]
pub struct ShardGrpServer {
    rsm: Rsm<ShardGrpMachine>,
}

impl ShardGrpServer {
    /// Starts replica `me` of group `gid` (`StartServerShardGrp`).
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

    /// Its Raft peer.
    pub fn raft(&self) -> &Raft {
        self.rsm.raft()
    }

    /// A handler that submits the command `op` makes of its arguments, and answers the
    /// reply `pick` finds in the output, or `wrong_leader`.
    fn handler<A, R>(
        &self,
        op: fn(A) -> Op,
        pick: fn(Rep) -> Option<R>,
        wrong_leader: R,
    ) -> impl Fn(A) -> std::pin::Pin<Box<dyn Future<Output = R> + Send>> + Send + Sync + 'static
    where
        A: DeserializeOwned + Send + 'static,
        R: Serialize + Clone + Send + Sync + 'static,
    {
        let rsm = self.rsm.clone();
        move |args| {
            let (rsm, wrong_leader) = (rsm.clone(), wrong_leader.clone());
            Box::pin(async move {
                match rsm.submit(op(args)).await {
                    Ok(rep) => pick(rep).unwrap_or(wrong_leader),
                    Err(_) => wrong_leader,
                }
            })
        }
    }

    /// The `KVServer` service: Get, Put and the three shard RPCs.
    pub fn service(&self) -> Service {
        let wrong_leader = ShardReply {
            err: KvErr::ErrWrongLeader,
        };
        Service::new(SERVICE)
            .handle(
                GET,
                self.handler(
                    Op::Get,
                    |r| if let Rep::Get(r) = r { Some(r) } else { None },
                    GetReply {
                        value: String::new(),
                        version: 0,
                        err: KvErr::ErrWrongLeader,
                    },
                ),
            )
            .handle(
                PUT,
                self.handler(
                    Op::Put,
                    |r| if let Rep::Put(r) = r { Some(r) } else { None },
                    PutReply {
                        err: KvErr::ErrWrongLeader,
                    },
                ),
            )
            .handle(
                FREEZE_SHARD,
                self.handler(
                    Op::Freeze,
                    |r| {
                        if let Rep::Freeze(r) = r {
                            Some(r)
                        } else {
                            None
                        }
                    },
                    FreezeShardReply {
                        state: Vec::new(),
                        num: 0,
                        err: KvErr::ErrWrongLeader,
                    },
                ),
            )
            .handle(
                INSTALL_SHARD,
                self.handler(
                    Op::Install,
                    |r| if let Rep::Shard(r) = r { Some(r) } else { None },
                    wrong_leader,
                ),
            )
            .handle(
                DELETE_SHARD,
                self.handler(
                    Op::Delete,
                    |r| if let Rep::Shard(r) = r { Some(r) } else { None },
                    wrong_leader,
                ),
            )
    }
}

impl Daemon for ShardGrpServer {
    fn services(&self) -> Vec<Service> {
        vec![self.service(), self.rsm.raft().service()]
    }
}
