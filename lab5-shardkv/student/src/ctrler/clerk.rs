//! [`Clerk`]: the controller's client library (the course's `shardctrler/client.go`).
//! Each call keeps trying, server after server, until one that leads has answered.

use crate::config::Config;
use common::labrpc::ClientEnd;
use std::collections::BTreeMap;

/// A client of the shard controller. One call at a time.
pub struct Clerk {
    servers: Vec<ClientEnd>,
    // Lab 5A: what else the clerk needs.
}

impl Clerk {
    /// A clerk for the controller servers behind `servers` (in any order). Called by the
    /// testers, and by your shard groups to learn configurations.
    pub fn new(servers: Vec<ClientEnd>) -> Clerk {
        Clerk { servers }
    }

    /// The ends to the controllers, in the order the clerk was given them.
    pub fn servers(&self) -> &[ClientEnd] {
        &self.servers
    }

    /// Configuration `num`; -1 (or a number beyond the latest) for the latest.
    pub async fn query(&mut self, _num: i64) -> Config {
        todo!("Lab 5A: ctrler::Clerk::query")
    }

    /// New groups (gid → server names) join.
    pub async fn join(&mut self, _groups: BTreeMap<u64, Vec<String>>) {
        todo!("Lab 5A: ctrler::Clerk::join")
    }

    /// Groups leave.
    pub async fn leave(&mut self, _gids: Vec<u64>) {
        todo!("Lab 5A: ctrler::Clerk::leave")
    }

    /// Shard `shard` goes to group `gid`.
    pub async fn move_shard(&mut self, _shard: usize, _gid: u64) {
        todo!("Lab 5A: ctrler::Clerk::move_shard")
    }
}
