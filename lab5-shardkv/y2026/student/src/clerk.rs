//! [`Clerk`]: the sharded KV service's client (the course's `shardkv1/client.go`). It
//! finds a key's shard (`shardcfg::key2shard`), the shard's group in the configuration
//! (`ShardConfig::gid_servers`), and asks that group's clerk; on `ErrWrongGroup` it looks
//! at the configuration again.

use crate::shardcfg::Tgid;
use crate::shardctrler::ShardCtrler;
use crate::shardgrp;
use common::kvtest::KvClerk;
use common::kvtest::rpc::{KvErr, Tversion};
use common::tester1::Clnt;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A client of the sharded KV service (`MakeClerk(clnt, sck)`).
#[allow(dead_code)] // Lab 5A: the fields are yours to use and to add to.
pub struct Clerk {
    clnt: Clnt,
    sck: ShardCtrler,
    /// Each group's clerk (the course's `rcks`): keep every one you make here, the
    /// tester reads it (`get_clerk`).
    rcks: Mutex<BTreeMap<Tgid, Arc<shardgrp::Clerk>>>,
}

impl Clerk {
    /// A clerk calling the groups through `clnt`, finding them through `sck`. Called by
    /// the tester.
    pub fn new(clnt: Clnt, sck: ShardCtrler) -> Clerk {
        Clerk {
            clnt,
            sck,
            rcks: Mutex::new(BTreeMap::new()),
        }
    }

    /// Group `gid`'s clerk, if this clerk has made one (`GetClerk`). Called by the tester.
    pub fn get_clerk(&self, gid: Tgid) -> Option<Arc<shardgrp::Clerk>> {
        self.rcks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&gid)
            .cloned()
    }
}

impl KvClerk for Clerk {
    async fn get(&self, _key: &str) -> (String, Tversion, KvErr) {
        todo!("Lab 5A: Clerk::get")
    }

    /// As in Labs 2 and 4, `ErrMaybe` when a copy may have applied unheard: a resend,
    /// here or at another group, that then hears `ErrVersion`.
    async fn put(&self, _key: &str, _value: &str, _version: Tversion) -> KvErr {
        todo!("Lab 5A: Clerk::put")
    }
}
