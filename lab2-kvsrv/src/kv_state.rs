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
//! retry until the clerk's next write, as a length into the value, not a copy (see
//! [`crate::old_values`]); in Labs 4 and 5 an Append returns nothing, so nothing is kept
//! (see [`KvState::append_returns_old`]).

use crate::dedup::{DuplicateTable, Seen};
use crate::old_values::{OldValue, OldValues};
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
    duplicates: DuplicateTable<Option<OldValue>>,
    /// What kept Append replies point into; `None` when Appends return nothing (then the
    /// state encodes as it did when this was a `false`).
    old_values: Option<OldValues>,
}

impl KvState {
    /// An empty store whose Appends return nothing (Labs 4 and 5).
    pub fn new() -> KvState {
        KvState::default()
    }

    /// An empty store whose Appends return the value before them (Lab 2).
    pub fn append_returns_old() -> KvState {
        KvState {
            old_values: Some(OldValues::default()),
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
            Seen::Retry(reply) => {
                return match (reply, &self.old_values) {
                    (Some(reply), Some(old_values)) => {
                        let current = self.data.get(reply.key()).map_or("", String::as_str);
                        old_values.text(reply, current).to_string()
                    }
                    _ => String::new(),
                };
            }
            Seen::Stale => return String::new(),
            Seen::New => {}
        }
        let (reply, answer) = match kind {
            Write::Put => {
                let old = self.data.insert(key.to_string(), value.to_string());
                if let (Some(old), Some(old_values)) = (old, &mut self.old_values) {
                    old_values.replacing(key, old);
                }
                (None, String::new())
            }
            Write::Append => {
                let v = self.data.entry(key.to_string()).or_default();
                let kept = self
                    .old_values
                    .as_mut()
                    .map(|o| (o.keep(key, v.len()), v.clone()));
                v.push_str(value);
                kept.map_or((None, String::new()), |(reply, answer)| {
                    (Some(reply), answer)
                })
            }
        };
        // The clerk has seen its previous reply: what it pointed into may go.
        if let (Some(Some(seen)), Some(old_values)) = (
            self.duplicates.record(client_id, seq, reply),
            &mut self.old_values,
        ) {
            old_values.release(seen);
        }
        answer
    }

    /// Bytes held for kept Append replies beyond the current values (replaced values that
    /// a retry may still need).
    pub fn kept_reply_bytes(&self) -> usize {
        self.old_values
            .as_ref()
            .map_or(0, OldValues::replaced_bytes)
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
        assert!(matches!(s.duplicates.seen(1, 1), Seen::Retry(Some(_))));
        s.write(1, 2, Write::Put, "k", "b");
        assert_eq!(
            s.duplicates.seen(1, 2),
            Seen::Retry(&None),
            "a Put keeps no old value"
        );
        s.get("k");
        assert_eq!(s.clients(), 1, "a Get adds no entry");
    }

    /// Issue 25, point 6: 400 clerks append 1,000 bytes once each to one key. Kept as
    /// copies, their replies held 400 × 399 / 2 × 1,000 bytes (80 MB) for 400 KB of data;
    /// kept as lengths into the value they hold nothing more, and after a Put replaces the
    /// value, one copy of it, until every clerk has written again.
    #[test]
    fn kept_append_replies_hold_no_copies() {
        let mut s = KvState::append_returns_old();
        let chunk = "x".repeat(1000);
        for clerk in 0..400 {
            let old = s.write(clerk, 1, Write::Append, "k", &chunk);
            assert_eq!(old.len(), clerk as usize * 1000);
        }
        assert_eq!(
            s.kept_reply_bytes(),
            0,
            "no copies while only Appends follow"
        );
        s.write(1000, 1, Write::Put, "k", "new");
        assert_eq!(s.kept_reply_bytes(), 400_000, "the replaced value, once");
        assert_eq!(
            s.write(7, 1, Write::Append, "k", &chunk).len(),
            7000,
            "a retry still gets its own reply after the Put"
        );
        assert_eq!(s.get("k"), "new", "and applies nothing");
        for clerk in 0..400 {
            s.write(clerk, 2, Write::Put, "other", "v");
        }
        assert_eq!(
            s.kept_reply_bytes(),
            0,
            "freed once every clerk wrote again"
        );
        s.write(0, 3, Write::Append, "k", "!");
        s.write(1, 3, Write::Append, "k", "?");
        assert_eq!(s.write(1, 3, Write::Append, "k", "?"), "new!");
        assert_eq!(s.write(0, 3, Write::Append, "k", "!"), "new");
    }

    /// Kept replies of two generations of one key, each released in turn: a reply into the
    /// replaced value and one into the current value never read each other's text.
    #[test]
    fn replies_into_a_replaced_value_and_its_successor_stay_apart() {
        let mut s = KvState::append_returns_old();
        s.write(1, 1, Write::Append, "k", "abc");
        s.write(2, 1, Write::Append, "k", "def"); // holds "abc"
        s.write(3, 1, Write::Put, "k", "x");
        s.write(4, 1, Write::Append, "k", "y"); // holds "x"
        assert_eq!(s.write(2, 1, Write::Append, "k", "def"), "abc");
        assert_eq!(s.write(4, 1, Write::Append, "k", "y"), "x");
        s.write(2, 2, Write::Put, "z", "");
        assert_eq!(
            s.kept_reply_bytes(),
            6,
            "clerk 1's reply still points into it"
        );
        s.write(1, 2, Write::Put, "z", "");
        assert_eq!(
            s.kept_reply_bytes(),
            0,
            "the replaced value is freed with its last reply"
        );
        assert_eq!(s.write(4, 1, Write::Append, "k", "y"), "x");
        assert_eq!(s.get("k"), "xy");
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
