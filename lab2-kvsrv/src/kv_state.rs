//! [`KvState`]: the key/value state machine of the course's KV services, with duplicate
//! detection. Pure: no Tokio, no locks, no clock.
//!
//! Lab 2 runs it behind one server; Lab 4 runs one copy per replica and feeds every copy
//! the same committed commands in the same order, so it must be deterministic: both maps
//! are `BTreeMap`s, so even a snapshot of the state is the same bytes on every replica.
//!
//! Reads need no duplicate detection (a repeated read is harmless) and leave nothing
//! behind. Writes go through a [`DuplicateTable`], so a retried Put or Append takes effect
//! once. In Lab 2 an Append returns the value before it, and that reply is kept for a
//! retry until the clerk's next write; in Labs 4 and 5 an Append returns nothing, so
//! nothing is kept (see [`KvState::append_returns_old`]).

use crate::dedup::{DuplicateTable, Seen};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Write {
    /// Replace the value.
    Put,
    /// Extend the value.
    Append,
}

/// The map and the duplicate table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvState {
    data: BTreeMap<String, String>,
    /// Per clerk, its last write, with what an Append returned (`None` for a Put, and for
    /// every write when Append returns nothing).
    duplicates: DuplicateTable<Option<String>>,
    append_returns_old: bool,
}

impl KvState {
    /// An empty store whose Appends return nothing (Labs 4 and 5).
    pub fn new() -> KvState {
        KvState::default()
    }

    /// An empty store whose Appends return the value before them (Lab 2).
    pub fn append_returns_old() -> KvState {
        KvState {
            append_returns_old: true,
            ..KvState::default()
        }
    }

    /// The value of `key` (`""` if missing).
    pub fn get(&self, key: &str) -> String {
        self.data.get(key).cloned().unwrap_or_default()
    }

    /// Applies write `seq` of clerk `client_id` once: a retry of the clerk's last write
    /// returns the same reply without applying it again, and an older write is ignored.
    /// Returns the old value for an Append when Appends return it, else `""`.
    pub fn write(
        &mut self,
        client_id: u64,
        seq: u64,
        kind: Write,
        key: &str,
        value: &str,
    ) -> String {
        match self.duplicates.seen(client_id, seq) {
            Seen::Retry(reply) => return reply.clone().unwrap_or_default(),
            Seen::Stale => return String::new(),
            Seen::New => {}
        }
        let reply = match kind {
            Write::Put => {
                // Dropping the old value frees it: a Put keeps no copy.
                self.data.insert(key.to_string(), value.to_string());
                None
            }
            Write::Append => {
                let v = self.data.entry(key.to_string()).or_default();
                let old = self.append_returns_old.then(|| v.clone());
                v.push_str(value);
                old
            }
        };
        let answer = reply.clone().unwrap_or_default();
        // Replacing the entry frees the previous reply: the clerk has seen it.
        self.duplicates.record(client_id, seq, reply);
        answer
    }

    /// Clerks with an entry in the duplicate table.
    pub fn clients(&self) -> usize {
        self.duplicates.clients()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_of_a_missing_key_is_empty() {
        assert_eq!(KvState::new().get("k"), "");
    }

    #[test]
    fn put_replaces_and_append_returns_the_old_value() {
        let mut s = KvState::append_returns_old();
        assert_eq!(s.write(1, 1, Write::Put, "k", "a"), "");
        assert_eq!(s.write(1, 2, Write::Append, "k", "b"), "a");
        assert_eq!(s.get("k"), "ab");
        assert_eq!(s.write(2, 1, Write::Append, "new", "x"), "");
        assert_eq!(s.get("new"), "x");
    }

    #[test]
    fn without_old_values_an_append_returns_and_keeps_nothing() {
        let mut s = KvState::new();
        s.write(1, 1, Write::Put, "k", "a");
        assert_eq!(s.write(2, 1, Write::Append, "k", "b"), "");
        assert_eq!(s.get("k"), "ab");
        assert_eq!(s.duplicates.seen(2, 1), Seen::Retry(&None));
    }

    #[test]
    fn a_retried_append_applies_once_and_gets_the_same_reply() {
        let mut s = KvState::append_returns_old();
        s.write(1, 1, Write::Put, "k", "a");
        assert_eq!(s.write(2, 1, Write::Append, "k", "b"), "a");
        s.write(1, 2, Write::Append, "k", "c");
        assert_eq!(
            s.write(2, 1, Write::Append, "k", "b"),
            "a",
            "retry: same answer"
        );
        assert_eq!(s.get("k"), "abc", "applied once");
    }

    #[test]
    fn a_retried_put_does_not_undo_a_later_write() {
        let mut s = KvState::new();
        s.write(1, 1, Write::Put, "k", "a");
        s.write(2, 1, Write::Put, "k", "b");
        s.write(1, 1, Write::Put, "k", "a");
        assert_eq!(s.get("k"), "b");
    }

    #[test]
    fn a_stale_request_is_ignored() {
        let mut s = KvState::append_returns_old();
        s.write(1, 1, Write::Append, "k", "a");
        s.write(1, 2, Write::Append, "k", "b");
        assert_eq!(s.write(1, 1, Write::Append, "k", "a"), "");
        assert_eq!(s.get("k"), "ab");
    }

    #[test]
    fn the_next_write_frees_the_last_reply_and_gets_keep_nothing() {
        let mut s = KvState::append_returns_old();
        s.write(1, 1, Write::Append, "k", "a");
        assert_eq!(s.duplicates.seen(1, 1), Seen::Retry(&Some(String::new())));
        s.write(1, 2, Write::Put, "k", "b");
        assert_eq!(
            s.duplicates.seen(1, 2),
            Seen::Retry(&None),
            "a Put keeps no old value"
        );
        s.get("k");
        assert_eq!(s.clients(), 1, "a Get adds no entry");
    }

    #[test]
    fn replicas_fed_the_same_writes_encode_the_same_bytes() {
        let mut a = KvState::new();
        let mut b = KvState::new();
        for s in [&mut a, &mut b] {
            for (i, key) in ["z", "a", "m"].iter().enumerate() {
                s.write(i as u64, 1, Write::Append, key, "v");
            }
        }
        let bytes = common::codec::encode(&a).expect("encodes");
        assert_eq!(bytes, common::codec::encode(&b).expect("encodes"));
        assert_eq!(
            common::codec::decode::<KvState>(&bytes).expect("decodes"),
            a
        );
    }
}
