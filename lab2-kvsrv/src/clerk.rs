//! [`Clerk`]: the client library. It names itself with a random id, numbers its writes, and
//! retries each request until the server answers, so that the caller sees every operation
//! take effect exactly once.

use crate::rpc::WriteSequence;
use crate::rpc::{APPEND, GET, GetArgs, PUT};
use common::labrpc::{ClientEnd, Rpc};
use common::sim;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long a clerk waits before retrying a call that failed at once (the network usually
/// takes its time to fail a call; this only keeps a broken end from spinning).
const RETRY_PAUSE: Duration = Duration::from_millis(1);

/// A client of the [`crate::KvServer`]. One call at a time, as `&mut self` enforces.
pub struct Clerk {
    server: ClientEnd,
    writes: WriteSequence,
}

impl Clerk {
    /// A clerk talking to `server`, with an id drawn from the world's RNG.
    pub fn new(server: ClientEnd) -> Clerk {
        Clerk {
            server,
            writes: WriteSequence::new(),
        }
    }

    /// The network end this clerk calls through.
    pub fn end(&self) -> &ClientEnd {
        &self.server
    }

    /// This clerk's id.
    pub fn client_id(&self) -> u64 {
        self.writes.client_id()
    }

    async fn call<A: Serialize, R: DeserializeOwned>(&self, rpc: Rpc<A, R>, args: &A) -> R {
        loop {
            match self.server.call(rpc, args).await {
                Ok(reply) => return reply,
                Err(e) => {
                    tracing::debug!(client = self.client_id(), %rpc, error = %e, "retry");
                    sim::sleep(RETRY_PAUSE).await;
                }
            }
        }
    }

    /// The value of `key` (`""` if missing).
    pub async fn get(&self, key: &str) -> String {
        let args = GetArgs {
            key: key.to_string(),
        };
        self.call(GET, &args).await
    }

    /// Sets `key` to `value`.
    pub async fn put(&mut self, key: &str, value: &str) {
        let args = self.writes.next(key, value);
        self.call(PUT, &args).await;
    }

    /// Appends `value` to `key`'s value and returns the value before.
    pub async fn append(&mut self, key: &str, value: &str) -> String {
        let args = self.writes.next(key, value);
        self.call(APPEND, &args).await
    }
}
