//! The course's `shardctrler` package: [`ShardCtrler`], a library the tester calls (not a
//! server). It keeps the configurations in the Lab 2 KV server (group 0, `server-0-0`)
//! and moves shards itself, with `FreezeShard`, `InstallShard` and `DeleteShard` to the
//! groups, before it posts a new configuration.
//!
//! One key, [`KEY`], holds the controllers' state ([`Stored`]): the current
//! configuration, the next one, and the leader. A change is posted as the next
//! configuration first, with a versioned Put, so of several calls making a change with
//! the same number only one goes on (Part C); then its shards move, each Freeze, Install,
//! Delete under the change's number; then it becomes current. A controller that crashed
//! in between leaves the next configuration ahead of the current one, and the next
//! controller's `InitController` finishes the change (Part B). `InitController` also
//! takes the lead: an older controller, cut off and come back, posts nothing more, and
//! what it still sends for its old change is a repeat or a refusal at the groups (their
//! number checks, in [`crate::shardgrp::machine`]). The decisions are in [`decide`].

pub mod decide;

use crate::shardcfg::{ShardConfig, Tgid, Tnum};
use crate::shardgrp;
use common::kvtest::rpc::{KvErr, Tversion};
use common::kvtest::{KvClerk, rand_value};
use common::sim;
use common::tester1::{Clnt, server_name};
use decide::{AfterFreeze, Change, Move, Stored};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The KV key of the controllers' state.
pub const KEY: &str = "shardctrler";

/// How long the controller waits before asking a group that did not answer again.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// A shard controller (`ShardCtrler`): a client of the KV server that stores the
/// configurations, and of every group.
pub struct ShardCtrler {
    kv: lab2_kvsrv_2026::Clerk,
    clnt: Clnt,
    /// Who this controller is, in [`Stored::leader`].
    id: String,
    groups: Mutex<BTreeMap<Tgid, Arc<shardgrp::Clerk>>>,
    /// The state read or written last, and its version. `ChangeConfigTo` right after a
    /// `Query` (as the tester's join and leave call them) posts against it without
    /// reading again: a stale one costs only the Put's `ErrVersion` and a read.
    last: Mutex<Option<(Stored, Tversion)>>,
}

impl ShardCtrler {
    /// A controller calling through `clnt` (`MakeShardCtrler`).
    pub fn new(clnt: Clnt) -> ShardCtrler {
        ShardCtrler {
            kv: lab2_kvsrv_2026::Clerk::new(clnt.clone(), &server_name(0, 0)),
            clnt,
            id: rand_value(8),
            groups: Mutex::new(BTreeMap::new()),
            last: Mutex::new(None),
        }
    }

    fn lock_groups(&self) -> MutexGuard<'_, BTreeMap<Tgid, Arc<shardgrp::Clerk>>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_last(&self) -> MutexGuard<'_, Option<(Stored, Tversion)>> {
        self.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A clerk of group `gid`, whose servers `cfg` names.
    fn group(&self, cfg: &ShardConfig, gid: Tgid) -> Arc<shardgrp::Clerk> {
        let servers = cfg.groups.get(&gid).cloned().unwrap_or_default();
        self.lock_groups()
            .entry(gid)
            .or_insert_with(|| Arc::new(shardgrp::Clerk::new(self.clnt.clone(), servers)))
            .clone()
    }

    /// The stored state and its version; `None` before `InitConfig` (or if what is
    /// stored is not a state, which is logged).
    async fn read(&self) -> Option<(Stored, Tversion)> {
        loop {
            let (value, version, err) = self.kv.get(KEY).await;
            let read = match err {
                KvErr::Ok => match serde_json::from_str::<Stored>(&value) {
                    Ok(stored) => Some((stored, version)),
                    Err(e) => {
                        tracing::error!(error = %e, "not a controller state; ignored");
                        None
                    }
                },
                KvErr::ErrNoKey => None,
                err => {
                    tracing::debug!(%err, "read again");
                    continue;
                }
            };
            self.lock_last().clone_from(&read);
            return read;
        }
    }

    /// Puts `new` at version `at`: the state stored after, if `applied` holds of it (an
    /// `OK`, or an `ErrMaybe` whose Put the store shows), else `None`.
    async fn write(
        &self,
        new: &Stored,
        at: Tversion,
        applied: impl Fn(&Stored) -> bool,
    ) -> Option<(Stored, Tversion)> {
        let json = serde_json::to_string(new).expect("a state encodes");
        match self.kv.put(KEY, &json, at).await {
            // A version at its largest cannot be written past: read what is there.
            KvErr::Ok => match at.checked_add(1) {
                Some(version) => {
                    let now = (new.clone(), version);
                    *self.lock_last() = Some(now.clone());
                    Some(now)
                }
                None => self.read().await.filter(|(s, _)| applied(s)),
            },
            KvErr::ErrMaybe => self.read().await.filter(|(s, _)| applied(s)),
            _ => None,
        }
    }

    /// Stores the first configuration, this controller leading (`InitConfig`); the tester
    /// calls it once.
    pub async fn init_config(&self, cfg: &ShardConfig) {
        let done = self
            .write(&Stored::first(&self.id, cfg), 0, |s| s.leader == self.id)
            .await;
        tracing::info!(num = cfg.num, stored = done.is_some(), "init config");
    }

    /// Takes the lead, and finishes a change a crashed or cut-off controller left half
    /// done (`InitController`); every new controller calls it first.
    pub async fn init_controller(&self) {
        loop {
            let Some((stored, version)) = self.read().await else {
                return;
            };
            let led = stored.led_by(&self.id);
            let Some((now, version)) = self.write(&led, version, |s| s.leader == self.id).await
            else {
                continue;
            };
            if let Some(next) = now.unfinished() {
                tracing::info!(num = next.num, "finish a predecessor's change");
                self.finish(now, version).await;
            }
            return;
        }
    }

    /// Moves the shards to `new` and makes it current (`ChangeConfigTo`), unless another
    /// call makes a change first, `new` does not follow the current configuration, or a
    /// newer controller leads.
    pub async fn change_config_to(&self, new: &ShardConfig) {
        let last = self.lock_last().clone();
        let Some((mut stored, mut version)) = (match last {
            Some(last) => Some(last),
            None => self.read().await,
        }) else {
            return;
        };
        loop {
            match decide::change(&stored, &self.id, new) {
                Change::Post => {}
                other => {
                    tracing::info!(
                        num = new.num,
                        current = stored.current.num,
                        ?other,
                        "no change"
                    );
                    return;
                }
            }
            let posted = stored.posting(new);
            let ours = |s: &Stored| s.leader == self.id && s.next == *new;
            if let Some(now) = self.write(&posted, version, ours).await {
                (stored, version) = now;
                break;
            }
            // What was read is stale, or another call got in first: decide again.
            let Some(now) = self.read().await else {
                return;
            };
            (stored, version) = now;
        }
        self.finish(stored, version).await;
    }

    /// Moves every shard of the change `stored` has under way, then makes it current.
    /// Stops, changing nothing more, once overtaken, or once the change is done or
    /// another controller leads (which finishes it).
    async fn finish(&self, stored: Stored, mut version: Tversion) {
        let next = stored.next.clone();
        let moves = decide::moves(&stored.current, &next);
        let done = futures::future::join_all(
            moves
                .iter()
                .map(|&m| self.move_shard(&stored.current, &next, m)),
        )
        .await;
        if done.contains(&false) {
            tracing::info!(num = next.num, "overtaken; stop");
            return;
        }
        let finished = stored.made_current();
        loop {
            let posted = self
                .write(&finished, version, |s| {
                    decide::finished(&s.current, next.num)
                })
                .await;
            if posted.is_some() {
                tracing::info!(num = next.num, "posted");
                return;
            }
            let Some((now, v)) = self.read().await else {
                return;
            };
            if decide::finished(&now.current, next.num) || now.leader != self.id || now.next != next
            {
                return;
            }
            version = v;
        }
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
            let current = self.read().await.map(|(s, _)| s.current);
            if current.is_some_and(|c| decide::finished(&c, num)) {
                tracing::info!(num, "finished by another controller");
                return None;
            }
            sim::sleep(RETRY_PAUSE).await;
        }
    }

    /// The current configuration (`Query`); number 0 before `InitConfig`.
    pub async fn query(&self) -> ShardConfig {
        self.read()
            .await
            .map_or_else(ShardConfig::new, |(s, _)| s.current)
    }
}
