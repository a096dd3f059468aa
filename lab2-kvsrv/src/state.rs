//! The key/value state machine with duplicate detection: pure, no Tokio, no locks.
//!
//! A clerk makes one call at a time and numbers its writes 1, 2, 3, ... So the server needs
//! to remember, per clerk, only its last write: its number, and for an Append the value it
//! returned, to answer a retry of it. A request with a higher number proves the clerk got
//! the reply to the last one, so that reply is dropped then. A Put's reply is empty, so no
//! old value is kept for it; a Get changes nothing and records nothing. Memory is therefore
//! the map plus a few words per clerk that ever wrote, plus at most one old value per clerk
//! whose last write was an Append.

use std::collections::HashMap;

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Replace the value.
    Put,
    /// Extend the value; returns the value before.
    Append,
}

/// A clerk's last write.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LastWrite {
    seq: u64,
    /// What an Append returned, for a retry of it. `None` for a Put.
    reply: Option<String>,
}

/// The map and the duplicate table.
#[derive(Debug, Default)]
pub struct KvState {
    data: HashMap<String, String>,
    last_write: HashMap<u64, LastWrite>,
}

impl KvState {
    /// An empty store.
    pub fn new() -> KvState {
        KvState::default()
    }

    /// The value of `key` (`""` if missing).
    pub fn get(&self, key: &str) -> String {
        self.data.get(key).cloned().unwrap_or_default()
    }

    /// Applies write `seq` of clerk `client_id` once: a retry of the last write returns
    /// the same reply without applying it again. Returns the old value for an Append,
    /// `""` for a Put.
    pub fn write(
        &mut self,
        client_id: u64,
        seq: u64,
        kind: Write,
        key: &str,
        value: &str,
    ) -> String {
        if let Some(last) = self.last_write.get(&client_id) {
            if seq == last.seq {
                return last.reply.clone().unwrap_or_default();
            }
            if seq < last.seq {
                // A stale copy of a request whose answer the clerk already has; it no
                // longer waits for this reply.
                return String::new();
            }
        }
        let reply = match kind {
            Write::Put => {
                // Dropping the old value frees it: a Put keeps no copy.
                self.data.insert(key.to_string(), value.to_string());
                None
            }
            Write::Append => {
                let v = self.data.entry(key.to_string()).or_default();
                let old = v.clone();
                v.push_str(value);
                Some(old)
            }
        };
        let answer = reply.clone().unwrap_or_default();
        // Replacing the entry frees the previous reply: the clerk has seen it.
        self.last_write.insert(client_id, LastWrite { seq, reply });
        answer
    }

    /// Clerks with an entry in the duplicate table.
    pub fn clients(&self) -> usize {
        self.last_write.len()
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
        let mut s = KvState::new();
        assert_eq!(s.write(1, 1, Write::Put, "k", "a"), "");
        assert_eq!(s.write(1, 2, Write::Append, "k", "b"), "a");
        assert_eq!(s.get("k"), "ab");
        assert_eq!(s.write(2, 1, Write::Append, "new", "x"), "");
        assert_eq!(s.get("new"), "x");
    }

    #[test]
    fn a_retried_append_applies_once_and_gets_the_same_reply() {
        let mut s = KvState::new();
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
        let mut s = KvState::new();
        s.write(1, 1, Write::Append, "k", "a");
        s.write(1, 2, Write::Append, "k", "b");
        assert_eq!(s.write(1, 1, Write::Append, "k", "a"), "");
        assert_eq!(s.get("k"), "ab");
    }

    #[test]
    fn the_next_write_frees_the_last_reply_and_gets_keep_nothing() {
        let mut s = KvState::new();
        s.write(1, 1, Write::Append, "k", "a");
        assert_eq!(s.last_write[&1].reply.as_deref(), Some(""));
        s.write(1, 2, Write::Put, "k", "b");
        assert_eq!(s.last_write[&1].reply, None, "a Put keeps no old value");
        s.get("k");
        assert_eq!(s.clients(), 1, "a Get adds no entry");
    }
}
