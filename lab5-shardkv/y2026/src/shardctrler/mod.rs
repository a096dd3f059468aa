//! The course's `shardctrler` package: [`ShardCtrler`], a library the tester calls (not a
//! server). It keeps the configurations in the Lab 2 KV server (group 0, `server-0-0`)
//! and moves shards itself, with `FreezeShard`, `InstallShard` and `DeleteShard` to the
//! groups, before it posts a new configuration.
//!
//! Two keys hold its state: [`CURRENT`], the configuration clerks use, and [`NEXT`], the
//! change under way. A change is posted to `NEXT` with a versioned Put first, so of
//! several controllers making a change with the same number only one goes on (Part C);
//! then its shards move, each Freeze, Install, Delete under the change's number; then it
//! becomes `CURRENT`, with a Put at the version it was read at. A controller that crashed
//! in between leaves `NEXT` ahead of `CURRENT`, and the next controller's
//! `InitController` finishes the change (Part B). Every step can be repeated, by the same
//! controller or another, and an overtaken controller is refused by the groups' number
//! checks: the decisions are in [`decide`], the rules in [`crate::shardgrp::machine`].

pub mod decide;

use crate::shardcfg::{ShardConfig, Tgid, Tnum};
use crate::shardgrp;
use common::kvtest::KvClerk;
use common::kvtest::rpc::{KvErr, Tversion};
use common::sim;
use common::tester1::{Clnt, server_name};
use decide::{AfterFreeze, Change, Move};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The KV key of the current configuration.
pub const CURRENT: &str = "shardctrler-current";

/// The KV key of the configuration being moved to.
pub const NEXT: &str = "shardctrler-next";

/// How long the controller waits before asking a group that did not answer again.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// A shard controller (`ShardCtrler`): a client of the KV server that stores the
/// configurations, and of every group.
pub struct ShardCtrler {
    kv: lab2_kvsrv_2026::Clerk,
    clnt: Clnt,
    groups: Mutex<BTreeMap<Tgid, Arc<shardgrp::Clerk>>>,
}

impl ShardCtrler {
    /// A controller calling through `clnt` (`MakeShardCtrler`).
    pub fn new(clnt: Clnt) -> ShardCtrler {
        ShardCtrler {
            kv: lab2_kvsrv_2026::Clerk::new(clnt.clone(), &server_name(0, 0)),
            clnt,
            groups: Mutex::new(BTreeMap::new()),
        }
    }

    fn lock_groups(&self) -> MutexGuard<'_, BTreeMap<Tgid, Arc<shardgrp::Clerk>>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A clerk of group `gid`, whose servers `cfg` names.
    fn group(&self, cfg: &ShardConfig, gid: Tgid) -> Arc<shardgrp::Clerk> {
        let servers = cfg.groups.get(&gid).cloned().unwrap_or_default();
        self.lock_groups()
            .entry(gid)
            .or_insert_with(|| Arc::new(shardgrp::Clerk::new(self.clnt.clone(), servers)))
            .clone()
    }

    /// The configuration stored under `key` and its version; `None` if there is none.
    async fn read(&self, key: &str) -> Option<(ShardConfig, Tversion)> {
        loop {
            let (value, version, err) = self.kv.get(key).await;
            match err {
                KvErr::Ok => match ShardConfig::from_string(&value) {
                    Ok(cfg) => return Some((cfg, version)),
                    Err(e) => {
                        tracing::error!(key, error = %e, "not a configuration; ignored");
                        return None;
                    }
                },
                KvErr::ErrNoKey => return None,
                err => tracing::debug!(key, %err, "read again"),
            }
        }
    }

    /// The current configuration and its version (number 0 before `InitConfig`).
    async fn current(&self) -> (ShardConfig, Tversion) {
        self.read(CURRENT)
            .await
            .unwrap_or_else(|| (ShardConfig::new(), 0))
    }

    /// Stores the first configuration (`InitConfig`); the tester calls it once.
    pub async fn init_config(&self, cfg: &ShardConfig) {
        let err = self.kv.put(CURRENT, &cfg.to_string(), 0).await;
        tracing::info!(num = cfg.num, %err, "init config");
    }

    /// Finishes a change a crashed or cut-off controller left half done
    /// (`InitController`); every new controller calls it first.
    pub async fn init_controller(&self) {
        let (current, version) = self.current().await;
        let next = self.read(NEXT).await;
        if let Some(next) = decide::unfinished(&current, next.as_ref().map(|(c, _)| c)) {
            tracing::info!(num = next.num, "finish a predecessor's change");
            self.finish(&current, version, next).await;
        }
    }

    /// Moves the shards to `new` and makes it current (`ChangeConfigTo`), unless another
    /// controller makes a change with its number first, or `new` does not follow the
    /// current configuration.
    pub async fn change_config_to(&self, new: &ShardConfig) {
        let (current, version) = self.current().await;
        let next = self.read(NEXT).await;
        let at = match decide::change(&current, next.as_ref().map(|(c, v)| (c, *v)), new) {
            Change::Post { at } => at,
            other => {
                tracing::info!(num = new.num, current = current.num, ?other, "no change");
                return;
            }
        };
        let posted = new.to_string();
        match self.kv.put(NEXT, &posted, at).await {
            KvErr::Ok => {}
            // Ours if the key now holds exactly it.
            KvErr::ErrMaybe if self.read(NEXT).await.is_some_and(|(c, _)| c == *new) => {}
            err => {
                tracing::info!(num = new.num, %err, "another controller's change");
                return;
            }
        }
        self.finish(&current, version, new).await;
    }

    /// Moves every shard from `current` to `next`, then posts `next` as current at the
    /// version `current` was read at. Stops, changing nothing more, once overtaken.
    async fn finish(&self, current: &ShardConfig, version: Tversion, next: &ShardConfig) {
        let moves = decide::moves(current, next);
        let done =
            futures::future::join_all(moves.iter().map(|&m| self.move_shard(current, next, m)))
                .await;
        if done.contains(&false) {
            tracing::info!(num = next.num, "overtaken; stop");
            return;
        }
        let err = self.kv.put(CURRENT, &next.to_string(), version).await;
        tracing::info!(num = next.num, %err, "posted");
    }

    /// One shard's move under `next`: Freeze, Install, Delete, each retried until its
    /// group answers. False if this controller must stop: the groups refused it (a newer
    /// change overtook this one), or another controller finished the change while a group
    /// did not answer (it may have left for good once the change was posted).
    async fn move_shard(&self, current: &ShardConfig, next: &ShardConfig, m: Move) -> bool {
        let (from, to) = (self.group(current, m.from), self.group(next, m.to));
        let num = next.num;
        let Some(frozen) = self.retry(num, || from.freeze_shard(m.shard, num)).await else {
            return false;
        };
        let state = match decide::after_freeze(frozen) {
            AfterFreeze::Install(state) => state,
            AfterFreeze::Moved => return true,
            AfterFreeze::Overtaken => return false,
        };
        let installed = self
            .retry(num, || to.install_shard(m.shard, state.clone(), num))
            .await;
        if installed != Some(KvErr::Ok) {
            return false;
        }
        self.retry(num, || from.delete_shard(m.shard, num)).await == Some(KvErr::Ok)
    }

    /// Calls `f` until the group answers; `None` once change `num` is current, made by
    /// another controller while this one waited.
    async fn retry<T, F, Fut>(&self, num: Tnum, f: F) -> Option<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        loop {
            if let Some(answer) = f().await {
                return Some(answer);
            }
            if decide::finished(&self.current().await.0, num) {
                tracing::info!(num, "finished by another controller");
                return None;
            }
            sim::sleep(RETRY_PAUSE).await;
        }
    }

    /// The current configuration (`Query`).
    pub async fn query(&self) -> ShardConfig {
        self.current().await.0
    }
}
