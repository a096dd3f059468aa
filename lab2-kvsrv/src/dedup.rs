//! [`DuplicateTable`]: exactly-once execution of clients' retried requests.
//!
//! Every KV service of the course (Labs 2, 4 and 5, and the shard controller) gets the same
//! request more than once: a clerk retries when a reply is lost, when a server times out,
//! or after a leader change, and with Raft the same request may even be committed twice at
//! two indexes. A clerk makes one call at a time and numbers its requests 1, 2, 3, ... so
//! the table needs to remember, per clerk, only its last request: the number, and the reply
//! to send again if that request comes back.
//!
//! A request with a higher number proves the clerk got the reply to the last one, so that
//! reply is dropped then: memory is one entry per clerk that ever wrote, plus at most one
//! reply per clerk. The table is a `BTreeMap`, so it serializes (into a snapshot) in the
//! same order on every replica and every run.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the table knows about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen<'a, R> {
    /// Not executed yet: execute it, then [`DuplicateTable::record`] it.
    New,
    /// The clerk's last request, already executed: answer with this reply again.
    Retry(&'a R),
    /// Older than the clerk's last request: the clerk already has its answer and no longer
    /// waits for this one. Do not execute it.
    Stale,
}

/// Per clerk, its last executed request. See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateTable<R> {
    last: BTreeMap<u64, LastRequest<R>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct LastRequest<R> {
    seq: u64,
    reply: R,
}

impl<R> Default for DuplicateTable<R> {
    fn default() -> Self {
        DuplicateTable {
            last: BTreeMap::new(),
        }
    }
}

impl<R> DuplicateTable<R> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether request `seq` of clerk `client_id` was executed.
    pub fn seen(&self, client_id: u64, seq: u64) -> Seen<'_, R> {
        match self.last.get(&client_id) {
            Some(last) if seq == last.seq => Seen::Retry(&last.reply),
            Some(last) if seq < last.seq => Seen::Stale,
            _ => Seen::New,
        }
    }

    /// Records that request `seq` of clerk `client_id` was executed with `reply`, which
    /// replaces the clerk's previous entry. Returns the previous reply, which the clerk
    /// has seen (to free what it holds).
    pub fn record(&mut self, client_id: u64, seq: u64, reply: R) -> Option<R> {
        self.last
            .insert(client_id, LastRequest { seq, reply })
            .map(|last| last.reply)
    }

    /// Clerks with an entry.
    pub fn clients(&self) -> usize {
        self.last.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_new_then_a_retry_then_stale() {
        let mut t = DuplicateTable::new();
        assert_eq!(t.seen(7, 1), Seen::New);
        t.record(7, 1, "one");
        assert_eq!(t.seen(7, 1), Seen::Retry(&"one"));
        assert_eq!(t.seen(7, 2), Seen::New);
        assert_eq!(t.seen(8, 1), Seen::New, "clerks are independent");
        t.record(7, 2, "two");
        assert_eq!(t.seen(7, 1), Seen::Stale);
        assert_eq!(t.seen(7, 2), Seen::Retry(&"two"));
        assert_eq!(t.clients(), 1, "one entry per clerk");
    }

    #[test]
    fn serializes_the_same_whatever_the_insertion_order() {
        let mut a = DuplicateTable::new();
        let mut b = DuplicateTable::new();
        for id in [3, 1, 2] {
            a.record(id, 1, id);
        }
        for id in [1, 2, 3] {
            b.record(id, 1, id);
        }
        let bytes = common::codec::encode(&a).expect("encodes");
        assert_eq!(bytes, common::codec::encode(&b).expect("encodes"));
        let back: DuplicateTable<u64> = common::codec::decode(&bytes).expect("decodes");
        assert_eq!(back, a);
    }
}
