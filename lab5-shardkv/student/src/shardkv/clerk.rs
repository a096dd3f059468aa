//! [`Clerk`]: the sharded service's client library (the course's `shardkv/client.go`,
//! given as the course gives it): it finds the key's group in its configuration, tries
//! the group's servers, and asks the controller for a newer configuration when the group
//! is wrong or unreachable. Yours to extend with what duplicate detection needs.

use crate::config::{Config, key_to_shard};
use crate::ctrler;
use crate::shardkv::ends::{Ends, MakeEnd};
use crate::shardkv::rpc::{APPEND, GET, GetArgs, PUT, PutAppendArgs, ShardKvError};
use common::labrpc::{ClientEnd, Rpc};
use common::sim;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long the clerk waits before asking the controller again (the course's 100 ms).
const RETRY: Duration = Duration::from_millis(100);

/// A client of the sharded service. One call at a time.
pub struct Clerk {
    ctrler: ctrler::Clerk,
    config: Config,
    ends: Ends,
}

impl Clerk {
    /// A clerk that asks the controllers behind `ctrlers` for configurations and reaches
    /// the groups' servers through `make_end` (the course's `MakeClerk`). Called by the
    /// tester.
    pub fn new(ctrlers: Vec<ClientEnd>, make_end: MakeEnd) -> Clerk {
        Clerk {
            ctrler: ctrler::Clerk::new(ctrlers),
            config: Config::default(),
            ends: Ends::new(make_end),
        }
    }

    /// Sends `args` to the group serving `key`'s shard until one of its servers answers
    /// it; a wrong group or no answer from the whole group fetches the latest
    /// configuration and tries again.
    async fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        key: &str,
        rpc: Rpc<A, Result<R, ShardKvError>>,
        args: &A,
    ) -> R {
        loop {
            let gid = self.config.shards[key_to_shard(key)];
            if let Some(servers) = self.config.groups.get(&gid) {
                for server in servers {
                    match self.ends.get(server).call(rpc, args).await {
                        Ok(Ok(reply)) => return reply,
                        Ok(Err(ShardKvError::WrongGroup)) => break,
                        // Not the leader, or no answer: the group's next server.
                        Ok(Err(ShardKvError::WrongLeader)) | Err(_) => {}
                    }
                }
            }
            sim::sleep(RETRY).await;
            self.config = self.ctrler.query(-1).await;
        }
    }

    /// The value of `key` (`""` if missing).
    pub async fn get(&mut self, key: &str) -> String {
        let args = GetArgs {
            key: key.to_string(),
        };
        self.call(key, GET, &args).await
    }

    /// Sets `key` to `value`.
    pub async fn put(&mut self, key: &str, value: &str) {
        let args = PutAppendArgs {
            key: key.to_string(),
            value: value.to_string(),
        };
        self.call(key, PUT, &args).await
    }

    /// Appends `value` to `key`'s value.
    pub async fn append(&mut self, key: &str, value: &str) {
        let args = PutAppendArgs {
            key: key.to_string(),
            value: value.to_string(),
        };
        self.call(key, APPEND, &args).await
    }
}
