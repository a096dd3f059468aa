//! The RPCs between a [`crate::Clerk`] and the [`crate::KvServer`], one typed descriptor
//! each, under the course's names, and their arguments, which Labs 4 and 5 reuse: a Get
//! carries only its key, a write its clerk's id and number ([`WriteSequence`]). Replies
//! are plain values: a Get's value, nothing for a Put, the old value for an Append.
//!
//! A Get carries no client identity: reads need no duplicate detection (a repeated read is
//! harmless), so they leave no state on the server. A write carries its clerk's id and the
//! write's number, which is what the [`crate::dedup::DuplicateTable`] keys on.

use common::labrpc::Rpc;
use common::sim::{self, RngExt};
use serde::{Deserialize, Serialize};

/// Arguments of `Get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetArgs {
    /// The key to read.
    pub key: String,
}

/// Arguments of `Put` and `Append`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutAppendArgs {
    /// The key to write.
    pub key: String,
    /// The value to put or append.
    pub value: String,
    /// The clerk that writes.
    pub client_id: u64,
    /// The clerk's write number, from 1; a retry sends the same number.
    pub seq: u64,
}

/// A clerk's identity and the number of its last write. A clerk makes one call at a time
/// and retries a write with the same arguments until it is answered, so numbering the
/// writes 1, 2, 3, ... tells the servers which requests are retries.
#[derive(Debug)]
pub struct WriteSequence {
    client_id: u64,
    seq: u64,
}

impl WriteSequence {
    /// A clerk id drawn from the world's RNG, and no write yet.
    pub fn new() -> WriteSequence {
        WriteSequence {
            client_id: sim::rng(|r| r.random()),
            seq: 0,
        }
    }

    /// The clerk's id.
    pub fn client_id(&self) -> u64 {
        self.client_id
    }

    /// Numbers the clerk's next write: its (client id, sequence number).
    pub fn advance(&mut self) -> (u64, u64) {
        self.seq += 1;
        (self.client_id, self.seq)
    }

    /// The arguments of the clerk's next KV write.
    pub fn next(&mut self, key: &str, value: &str) -> PutAppendArgs {
        let (client_id, seq) = self.advance();
        PutAppendArgs {
            key: key.to_string(),
            value: value.to_string(),
            client_id,
            seq,
        }
    }
}

impl Default for WriteSequence {
    fn default() -> Self {
        WriteSequence::new()
    }
}

/// The service name, as in the course (`KVServer.Get`, ...).
pub const SERVICE: &str = "KVServer";

/// `KVServer.Get`: the value of a key (`""` if missing).
pub const GET: Rpc<GetArgs, String> = Rpc::new(SERVICE, "Get");

/// `KVServer.Put`: sets a key.
pub const PUT: Rpc<PutAppendArgs, ()> = Rpc::new(SERVICE, "Put");

/// `KVServer.Append`: appends to a key's value; answers the value before.
pub const APPEND: Rpc<PutAppendArgs, String> = Rpc::new(SERVICE, "Append");
