//! [`Clerk`]: the controller's client library: Query, Join, Leave and Move, retried over
//! the controller's servers until the leader applies them (Lab 4's [`Replicas`]).

use crate::config::Config;
use crate::ctrler::machine::Change;
use crate::ctrler::server::{CHANGE, ChangeArgs, QUERY, QueryArgs};
use common::labrpc::ClientEnd;
use lab2_kvsrv::rpc::WriteSequence;
use lab4_kvraft::rsm::client::Replicas;
use std::collections::BTreeMap;

/// A client of the shard controller. One call at a time.
#[derive(Debug)]
pub struct Clerk {
    servers: Replicas,
    writes: WriteSequence,
}

impl Clerk {
    /// A clerk for the controller servers behind `servers` (in any order).
    ///
    /// # Panics
    /// If `servers` is empty.
    pub fn new(servers: Vec<ClientEnd>) -> Clerk {
        Clerk {
            servers: Replicas::new(servers),
            writes: WriteSequence::new(),
        }
    }

    /// Configuration `num`; -1 (or a number beyond the latest) for the latest.
    pub async fn query(&mut self, num: i64) -> Config {
        let who = self.writes.client_id();
        self.servers.call(QUERY, &QueryArgs { num }, who).await
    }

    async fn change(&mut self, change: Change) {
        let (client_id, seq) = self.writes.advance();
        let args = ChangeArgs {
            change,
            client_id,
            seq,
        };
        self.servers.call(CHANGE, &args, client_id).await;
    }

    /// New groups (gid → server names) join.
    pub async fn join(&mut self, groups: BTreeMap<u64, Vec<String>>) {
        self.change(Change::Join(groups)).await;
    }

    /// Groups leave.
    pub async fn leave(&mut self, gids: Vec<u64>) {
        self.change(Change::Leave(gids)).await;
    }

    /// Shard `shard` goes to group `gid`.
    pub async fn move_shard(&mut self, shard: usize, gid: u64) {
        self.change(Change::Move { shard, gid }).await;
    }
}
