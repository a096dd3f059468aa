//! [`Clerk`]: the client library. It finds the leader through [`Replicas`] (remember the
//! last one, try the next server when one cannot help) and numbers its writes, so that
//! retrying them is safe.

use crate::rpc::{APPEND, GET, GetArgs, PUT};
use crate::rsm::client::Replicas;
use common::labrpc::ClientEnd;
use lab2_kvsrv::rpc::WriteSequence;

/// A client of the replicated [`crate::KvServer`]s. One call at a time, as the course's.
#[derive(Debug)]
pub struct Clerk {
    servers: Replicas,
    writes: WriteSequence,
}

impl Clerk {
    /// A clerk for the servers behind `servers` (in any order), with an id drawn from the
    /// world's RNG.
    ///
    /// # Panics
    /// If `servers` is empty.
    pub fn new(servers: Vec<ClientEnd>) -> Clerk {
        Clerk {
            servers: Replicas::new(servers),
            writes: WriteSequence::new(),
        }
    }

    /// This clerk's id.
    pub fn client_id(&self) -> u64 {
        self.writes.client_id()
    }

    /// The value of `key` (`""` if missing).
    pub async fn get(&mut self, key: &str) -> String {
        let args = GetArgs {
            key: key.to_string(),
        };
        let who = self.client_id();
        self.servers.call(GET, &args, who).await
    }

    /// Sets `key` to `value`.
    pub async fn put(&mut self, key: &str, value: &str) {
        let args = self.writes.next(key, value);
        let who = self.client_id();
        self.servers.call(PUT, &args, who).await;
    }

    /// Appends `value` to `key`'s value.
    pub async fn append(&mut self, key: &str, value: &str) {
        let args = self.writes.next(key, value);
        let who = self.client_id();
        self.servers.call(APPEND, &args, who).await;
    }
}
