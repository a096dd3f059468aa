//! The Lab 5 replicas as the real cluster's server binaries run them (`src/bin`:
//! `shardctrler-server`, `shardkv-server`, and the client `shardkv`); the rest of what a
//! server binary does is Lab 4's ([`lab4_kvraft::real`]).

use crate::ShardKv;
use crate::ctrler::ShardCtrler;
use common::labrpc::Service;
use lab3_raft::Raft;
use lab4_kvraft::real::Replica;

impl Replica for ShardCtrler {
    fn raft(&self) -> &Raft {
        ShardCtrler::raft(self)
    }
    fn services(&self) -> Vec<Service> {
        ShardCtrler::services(self)
    }
    fn kill(&self) {
        ShardCtrler::kill(self)
    }
}

impl Replica for ShardKv {
    fn raft(&self) -> &Raft {
        ShardKv::raft(self)
    }
    fn services(&self) -> Vec<Service> {
        ShardKv::services(self)
    }
    fn kill(&self) {
        ShardKv::kill(self)
    }
}

impl lab4_kvraft::real::testing::KvClerk for crate::Clerk {
    fn get(&mut self, key: &str) -> impl Future<Output = String> + Send {
        crate::Clerk::get(self, key)
    }
    fn put(&mut self, key: &str, value: &str) -> impl Future<Output = ()> + Send {
        crate::Clerk::put(self, key, value)
    }
    fn append(&mut self, key: &str, value: &str) -> impl Future<Output = ()> + Send {
        crate::Clerk::append(self, key, value)
    }
}
