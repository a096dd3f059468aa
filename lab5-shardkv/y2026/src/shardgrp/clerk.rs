//! [`Clerk`]: a client of one shard group (`shardgrp.Clerk`), on Lab 4's
//! [`Replicas`]: the last leader first, then each server in turn, until one answers with
//! something other than `ErrWrongLeader`. Unlike Lab 4's clerk it gives up: a group may
//! have left and been shut down for good, and only a fresh look at the configuration tells
//! its callers where the shard went. So after [`SILENT_ROUNDS`] rounds in which no server
//! answered at all, a call answers "no answer", which the KV clerk takes as
//! `ErrWrongGroup` and the controller as "try again later".

use crate::shardcfg::{Tnum, Tshid};
use crate::shardgrp::rpc::{
    DELETE_SHARD, DeleteShardArgs, FREEZE_SHARD, FreezeShardArgs, FreezeShardReply, INSTALL_SHARD,
    InstallShardArgs,
};
use common::kvtest::rpc::{GET, GetArgs, KvErr, PUT, PutArgs, Tversion};
use common::tester1::Clnt;
use lab4_kvraft_2026::clerk::Replicas;

/// Rounds of every server without a single answer after which a call gives up. Two: one
/// lost round on an unreliable network is common enough, a group that is down answers
/// none; and giving up costs the caller only a look at the configuration.
pub const SILENT_ROUNDS: u32 = 2;

/// A client of the group whose servers are `servers` (`MakeClerk(clnt, servers)`).
pub struct Clerk {
    replicas: Replicas,
}

impl Clerk {
    /// A clerk of the servers named `servers`, in server order.
    pub fn new(clnt: Clnt, servers: Vec<String>) -> Clerk {
        Clerk {
            replicas: Replicas::new(clnt, servers),
        }
    }

    /// The group's servers, in server order.
    pub fn servers(&self) -> &[String] {
        self.replicas.servers()
    }

    /// The server that last answered as leader (`Leader()`): the tester crashes it.
    pub fn leader(&self) -> usize {
        self.replicas.leader()
    }

    /// `Get`: `ErrWrongGroup` if the group does not serve the key's shard, or did not
    /// answer.
    pub async fn get(&self, key: &str) -> (String, Tversion, KvErr) {
        let args = GetArgs {
            key: key.to_string(),
        };
        let reply = self
            .replicas
            .call(GET, &args, |r| r.err, &mut 0, Some(SILENT_ROUNDS))
            .await;
        match reply {
            Some(r) => (r.value, r.version, r.err),
            None => (String::new(), 0, KvErr::ErrWrongGroup),
        }
    }

    /// `Put`: the group's answer (`ErrWrongGroup` if it did not answer), and whether a
    /// copy may have applied unheard: more than one was sent, and a lost reply or a
    /// deposed leader's entry may yet have taken effect. The KV clerk turns a later
    /// `ErrVersion` into `ErrMaybe` on that.
    pub async fn put(&self, key: &str, value: &str, version: Tversion) -> (KvErr, bool) {
        let args = PutArgs {
            key: key.to_string(),
            value: value.to_string(),
            version,
        };
        let mut sends = 0;
        let reply = self
            .replicas
            .call(PUT, &args, |r| r.err, &mut sends, Some(SILENT_ROUNDS))
            .await;
        (reply.map_or(KvErr::ErrWrongGroup, |r| r.err), sends > 1)
    }

    /// `FreezeShard`, or `None` if the group did not answer.
    pub async fn freeze_shard(&self, shard: Tshid, num: Tnum) -> Option<FreezeShardReply> {
        let args = FreezeShardArgs { shard, num };
        self.replicas
            .call(FREEZE_SHARD, &args, |r| r.err, &mut 0, Some(SILENT_ROUNDS))
            .await
    }

    /// `InstallShard`, or `None` if the group did not answer.
    pub async fn install_shard(&self, shard: Tshid, state: Vec<u8>, num: Tnum) -> Option<KvErr> {
        let args = InstallShardArgs { shard, state, num };
        let reply = self
            .replicas
            .call(INSTALL_SHARD, &args, |r| r.err, &mut 0, Some(SILENT_ROUNDS))
            .await;
        reply.map(|r| r.err)
    }

    /// `DeleteShard`, or `None` if the group did not answer.
    pub async fn delete_shard(&self, shard: Tshid, num: Tnum) -> Option<KvErr> {
        let args = DeleteShardArgs { shard, num };
        let reply = self
            .replicas
            .call(DELETE_SHARD, &args, |r| r.err, &mut 0, Some(SILENT_ROUNDS))
            .await;
        reply.map(|r| r.err)
    }
}
