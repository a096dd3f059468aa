//! [`Clerk`]: the sharded KV service's client (`shardkv.Clerk`). It finds a key's group
//! in the configuration and asks that group's clerk, kept per gid (`GetClerk`). A group
//! that answers `ErrWrongGroup`, or does not answer, sends it back to the controller for
//! a newer configuration: the shard is moving, or has moved.
//!
//! It keeps the configuration it last read and asks the controller again only when a
//! group turns it away: a configuration stays right for many requests, and a group never
//! serves a shard it does not hold, so an old one is never wrong, only slow.

use crate::shardcfg::{ShardConfig, Tgid, key2shard};
use crate::shardctrler::ShardCtrler;
use crate::shardgrp;
use common::kvtest::KvClerk;
use common::kvtest::rpc::{KvErr, Tversion};
use common::sim;
use common::tester1::Clnt;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a clerk turned away waits before reading the configuration again: the shard
/// is probably moving, and its new home is posted once every shard of the change moved.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

struct Known {
    config: Option<Arc<ShardConfig>>,
    /// Each group's clerk (the course's `rcks`).
    rcks: BTreeMap<Tgid, Arc<shardgrp::Clerk>>,
}

/// A client of the sharded KV service (`MakeClerk(clnt, sck)`).
pub struct Clerk {
    clnt: Clnt,
    sck: ShardCtrler,
    known: Mutex<Known>,
}

impl Clerk {
    /// A clerk calling the groups through `clnt`, finding them through `sck`.
    pub fn new(clnt: Clnt, sck: ShardCtrler) -> Clerk {
        Clerk {
            clnt,
            sck,
            known: Mutex::new(Known {
                config: None,
                rcks: BTreeMap::new(),
            }),
        }
    }

    fn known(&self) -> MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Group `gid`'s clerk, if this clerk has called it (`GetClerk`).
    pub fn get_clerk(&self, gid: Tgid) -> Option<Arc<shardgrp::Clerk>> {
        self.known().rcks.get(&gid).cloned()
    }

    /// The configuration: the one read last, or (after `stale`) a newer read.
    async fn config(&self, stale: Option<&Arc<ShardConfig>>) -> Arc<ShardConfig> {
        if let Some(stale) = stale {
            sim::sleep(RETRY_PAUSE).await;
            let known = self.known().config.clone();
            if let Some(known) = known.filter(|k| !Arc::ptr_eq(k, stale)) {
                return known;
            }
        } else if let Some(known) = self.known().config.clone() {
            return known;
        }
        let fresh = Arc::new(self.sck.query().await);
        self.known().config = Some(fresh.clone());
        fresh
    }

    /// The clerk of the group serving `key` in `cfg`, if a group does.
    fn group_of(&self, cfg: &ShardConfig, key: &str) -> Option<Arc<shardgrp::Clerk>> {
        let (gid, servers) = cfg.gid_servers(key2shard(key))?;
        let mut known = self.known();
        let ck = known
            .rcks
            .entry(gid)
            .or_insert_with(|| Arc::new(shardgrp::Clerk::new(self.clnt.clone(), servers.to_vec())));
        if ck.servers() != servers {
            // The gid left and joined again with other servers.
            *ck = Arc::new(shardgrp::Clerk::new(self.clnt.clone(), servers.to_vec()));
        }
        Some(ck.clone())
    }
}

impl KvClerk for Clerk {
    async fn get(&self, key: &str) -> (String, Tversion, KvErr) {
        let mut stale = None;
        loop {
            let cfg = self.config(stale.as_ref()).await;
            if let Some(ck) = self.group_of(&cfg, key) {
                let (value, version, err) = ck.get(key).await;
                if err != KvErr::ErrWrongGroup {
                    return (value, version, err);
                }
            }
            stale = Some(cfg);
        }
    }

    async fn put(&self, key: &str, value: &str, version: Tversion) -> KvErr {
        let mut stale = None;
        // Whether an earlier copy may have applied.
        let mut maybe = false;
        loop {
            let cfg = self.config(stale.as_ref()).await;
            if let Some(ck) = self.group_of(&cfg, key) {
                let (err, resent) = ck.put(key, value, version).await;
                maybe |= resent;
                match err {
                    KvErr::ErrWrongGroup => {}
                    KvErr::ErrVersion if maybe => return KvErr::ErrMaybe,
                    err => return err,
                }
            }
            stale = Some(cfg);
        }
    }
}
