//! The course's `shardctrler` package: [`ShardCtrler`], a library the tester calls (not a
//! server). It keeps the configurations in the Lab 2 KV server (group 0, `server-0-0`,
//! through `self.kv`) and moves shards itself, with `FreezeShard`, `InstallShard` and
//! `DeleteShard` to the groups, before it posts a new configuration (5A). From 5B a
//! controller may crash mid-change, and the next one finishes it (`init_controller`);
//! from 5C several controllers run at once, only one may make each change, and one cut
//! off that comes back once a newer one took over must start no new change.

use crate::shardcfg::ShardConfig;
use common::tester1::{Clnt, server_name};

/// A shard controller (`ShardCtrler`).
#[allow(dead_code)] // Lab 5A: the fields are yours to use and to add to.
pub struct ShardCtrler {
    /// A clerk of the KV server that stores the configurations.
    kv: lab2_kvsrv_2026::Clerk,
    /// For clerks of the shard groups (`crate::shardgrp::Clerk::new(clnt.clone(), ...)`).
    clnt: Clnt,
}

impl ShardCtrler {
    /// A controller calling through `clnt` (`MakeShardCtrler`). Called by the tester.
    pub fn new(clnt: Clnt) -> ShardCtrler {
        ShardCtrler {
            kv: lab2_kvsrv_2026::Clerk::new(clnt.clone(), &server_name(0, 0)),
            clnt,
        }
    }

    /// Stores the first configuration (`InitConfig`); the tester calls it once.
    pub async fn init_config(&self, _cfg: &ShardConfig) {
        todo!("Lab 5A: ShardCtrler::init_config")
    }

    /// Finishes a change a crashed or cut-off controller left half done
    /// (`InitController`); the tester calls it on every new controller (5B), which from
    /// then on is the one in charge (5C).
    pub async fn init_controller(&self) {
        todo!("Lab 5B: ShardCtrler::init_controller")
    }

    /// Moves the shards to `new` and posts it (`ChangeConfigTo`). From 5C, another
    /// controller may be making a change with the same number: only one may.
    pub async fn change_config_to(&self, _new: &ShardConfig) {
        todo!("Lab 5A: ShardCtrler::change_config_to")
    }

    /// The current configuration (`Query`).
    pub async fn query(&self) -> ShardConfig {
        todo!("Lab 5A: ShardCtrler::query")
    }
}
