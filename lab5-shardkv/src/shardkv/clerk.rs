//! [`Clerk`]: the sharded service's client library. It keeps a configuration from the
//! controller, sends each operation to the group that serves the key's shard, and on
//! `WrongGroup` (or after trying all of the group's servers) waits 100 ms, asks the
//! controller for the latest configuration, and tries again. Writes are numbered, so
//! retrying them is safe.

use crate::config::{Config, key_to_shard};
use crate::ctrler;
use crate::shardkv::ends::{Ends, MakeEnd};
use crate::shardkv::rpc;
use crate::shardkv::server::ShardKvError;
use common::labrpc::{ClientEnd, Rpc};
use common::sim;
use lab2_kvsrv::rpc::{GetArgs, WriteSequence};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The pause before asking the controller again (the course's 100 ms).
const REFRESH_PAUSE: Duration = Duration::from_millis(100);

/// A client of the sharded key/value service. One call at a time.
pub struct Clerk {
    ctrler: ctrler::Clerk,
    config: Config,
    ends: Ends,
    writes: WriteSequence,
}

impl Clerk {
    /// A clerk that asks the controller behind `ctrlers` where shards are, and reaches
    /// groups' servers through `make_end`.
    pub fn new(ctrlers: Vec<ClientEnd>, make_end: MakeEnd) -> Clerk {
        Clerk {
            ctrler: ctrler::Clerk::new(ctrlers),
            config: Config::default(),
            ends: Ends::new(make_end),
            writes: WriteSequence::new(),
        }
    }

    async fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        key: &str,
        rpc: Rpc<A, Result<R, ShardKvError>>,
        args: &A,
    ) -> R {
        loop {
            let gid = self.config.shards[key_to_shard(key)];
            let servers = self.config.groups.get(&gid).cloned().unwrap_or_default();
            for server in servers {
                match self.ends.get(&server).call(rpc, args).await {
                    Ok(Ok(value)) => return value,
                    Ok(Err(ShardKvError::WrongGroup(_))) => break,
                    Ok(Err(ShardKvError::Submit(_) | ShardKvError::NotReady(_))) | Err(_) => {}
                }
            }
            tracing::debug!(
                client = self.writes.client_id(),
                key,
                num = self.config.num,
                gid,
                "no server of the group applied it; refreshing the configuration"
            );
            sim::sleep(REFRESH_PAUSE).await;
            self.config = self.ctrler.query(-1).await;
        }
    }

    /// The value of `key` (`""` if missing).
    pub async fn get(&mut self, key: &str) -> String {
        let args = GetArgs {
            key: key.to_string(),
        };
        self.call(key, rpc::GET, &args).await
    }

    /// Sets `key` to `value`.
    pub async fn put(&mut self, key: &str, value: &str) {
        let args = self.writes.next(key, value);
        self.call(key, rpc::PUT, &args).await;
    }

    /// Appends `value` to `key`'s value.
    pub async fn append(&mut self, key: &str, value: &str) {
        let args = self.writes.next(key, value);
        self.call(key, rpc::APPEND, &args).await;
    }
}
