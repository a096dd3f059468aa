//! [`Clerk`]: a client of one shard group (the course's `shardgrp/client.go`). Like Lab 4's
//! clerk it tries servers until one that leads answers; unlike it, it must give up on a
//! group that does not answer at all (it may have left and been shut down), so that its
//! caller can look at the configuration again.

use crate::shardcfg::{Tnum, Tshid};
use common::kvtest::rpc::{KvErr, Tversion};
use common::tester1::Clnt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A client of the group whose servers are `servers` (`MakeClerk(clnt, servers)`).
#[allow(dead_code)] // Lab 5A: the fields are yours to use and to add to.
pub struct Clerk {
    clnt: Clnt,
    servers: Vec<String>,
    /// The server that last answered as leader (the course's `leader`): keep it up to
    /// date, the tester crashes it (`TestStaticOneShardGroup5A`).
    leader: AtomicUsize,
}

impl Clerk {
    /// A clerk of the servers named `servers`, in server order.
    pub fn new(clnt: Clnt, servers: Vec<String>) -> Clerk {
        Clerk {
            clnt,
            servers,
            leader: AtomicUsize::new(0),
        }
    }

    /// The server that last answered as leader (`Leader()`). Called by the tester.
    pub fn leader(&self) -> usize {
        self.leader.load(Ordering::Relaxed)
    }

    /// `Get`.
    pub async fn get(&self, _key: &str) -> (String, Tversion, KvErr) {
        todo!("Lab 5A: shardgrp::Clerk::get")
    }

    /// `Put`. Yours to shape: the KV clerk must be able to tell when a copy may have
    /// applied unheard, to answer `ErrMaybe`.
    pub async fn put(&self, _key: &str, _value: &str, _version: Tversion) -> KvErr {
        todo!("Lab 5A: shardgrp::Clerk::put")
    }

    /// `FreezeShard`: the shard's state.
    pub async fn freeze_shard(&self, _shard: Tshid, _num: Tnum) -> (Vec<u8>, KvErr) {
        todo!("Lab 5A: shardgrp::Clerk::freeze_shard")
    }

    /// `InstallShard`.
    pub async fn install_shard(&self, _shard: Tshid, _state: Vec<u8>, _num: Tnum) -> KvErr {
        todo!("Lab 5A: shardgrp::Clerk::install_shard")
    }

    /// `DeleteShard`.
    pub async fn delete_shard(&self, _shard: Tshid, _num: Tnum) -> KvErr {
        todo!("Lab 5A: shardgrp::Clerk::delete_shard")
    }
}
