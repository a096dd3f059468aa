//! [`Clerk`]: the client library. It remembers which server led last, tries the next
//! server whenever one says it cannot help, and numbers its writes so that retrying them
//! is safe.

use crate::rpc::GetArgs;
use crate::rsm::SubmitError;
use common::kv_rpc::WriteSequence;
use common::labrpc::ClientEnd;
use common::sim;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// After every server in turn failed to answer, the clerk waits this long before the next
/// round: there is probably no leader yet, and an election takes a few hundred
/// milliseconds.
const ROUND_PAUSE: Duration = Duration::from_millis(40);

/// A client of the replicated [`crate::KvServer`]s. One call at a time, as the course's.
pub struct Clerk {
    servers: Vec<ClientEnd>,
    /// The server that answered last (first tried next time).
    leader: usize,
    writes: WriteSequence,
}

impl Clerk {
    /// A clerk for the servers behind `servers` (in any order), with an id drawn from the
    /// world's RNG.
    ///
    /// # Panics
    /// If `servers` is empty.
    pub fn new(servers: Vec<ClientEnd>) -> Clerk {
        assert!(!servers.is_empty(), "a clerk needs at least one server");
        Clerk {
            servers,
            leader: 0,
            writes: WriteSequence::new(),
        }
    }

    /// This clerk's id.
    pub fn client_id(&self) -> u64 {
        self.writes.client_id()
    }

    /// Calls `method` on the servers, starting with the last leader, until one applies it.
    async fn call<A: Serialize, R: DeserializeOwned>(&mut self, method: &str, args: &A) -> R {
        let mut failed_in_a_row = 0;
        loop {
            let reply = self.servers[self.leader]
                .call::<_, Result<R, SubmitError>>(method, args)
                .await;
            match reply {
                Ok(Ok(value)) => return value,
                Ok(Err(e)) => {
                    tracing::trace!(client = self.client_id(), server = self.leader, method, error = %e, "try next server");
                }
                Err(e) => {
                    tracing::trace!(client = self.client_id(), server = self.leader, method, error = %e, "no reply");
                }
            }
            self.leader = (self.leader + 1) % self.servers.len();
            failed_in_a_row += 1;
            if failed_in_a_row % self.servers.len() == 0 {
                sim::sleep(ROUND_PAUSE).await;
            }
        }
    }

    /// The value of `key` (`""` if missing).
    pub async fn get(&mut self, key: &str) -> String {
        let args = GetArgs {
            key: key.to_string(),
        };
        self.call::<_, String>("KVServer.Get", &args).await
    }

    /// Sets `key` to `value`.
    pub async fn put(&mut self, key: &str, value: &str) {
        let args = self.writes.next(key, value);
        self.call::<_, ()>("KVServer.Put", &args).await;
    }

    /// Appends `value` to `key`'s value.
    pub async fn append(&mut self, key: &str, value: &str) {
        let args = self.writes.next(key, value);
        self.call::<_, ()>("KVServer.Append", &args).await;
    }
}
