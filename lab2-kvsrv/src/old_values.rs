//! [`OldValues`]: Lab 2's Append replies (the value before the Append), kept for a retry
//! without a copy of the value.
//!
//! Every clerk's last reply is kept until its next write (see [`crate::dedup`]). Kept as
//! a copy, 400 clerks that append 1,000 bytes once each to one key would hold 80 MB of
//! replies for 400 KB of data. But an Append's reply is a prefix of the key's value for as
//! long as only Appends follow, so it is kept as a length into that value, an
//! [`OldValue`]. Only a Put replaces a value; if kept replies still point into it, the
//! replaced value moves here, once, and stays until the last of them is released. Memory
//! is linear in the data: no value is held more than once.
//!
//! A value is known by its key and a generation, which is fresh each time a kept reply
//! first points into a value, so a replaced value and its successor are never confused.
//! Every map is a `BTreeMap` and the generations are counted: the state is the same on
//! every run.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A kept Append reply: the first `len` bytes of the value of `key` of generation
/// `generation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldValue {
    key: String,
    generation: u64,
    len: usize,
}

/// The values that kept replies point into: see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldValues {
    /// Per key whose current value kept replies point into: its generation, and how many.
    live: BTreeMap<String, Held>,
    /// Values a Put replaced while kept replies pointed into them, by key and generation.
    replaced: BTreeMap<(String, u64), Replaced>,
    /// The next generation to hand out.
    next_generation: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Held {
    generation: u64,
    holders: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Replaced {
    value: String,
    holders: usize,
}

impl OldValue {
    /// The key whose value it points into.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl OldValues {
    /// The reply to keep for an Append to `key`, whose value before it was `len` bytes.
    pub fn keep(&mut self, key: &str, len: usize) -> OldValue {
        let next = &mut self.next_generation;
        let held = self.live.entry(key.to_string()).or_insert_with(|| {
            *next += 1;
            Held {
                generation: *next,
                holders: 0,
            }
        });
        held.holders += 1;
        OldValue {
            key: key.to_string(),
            generation: held.generation,
            len,
        }
    }

    /// The text of a kept reply; `current` is the current value of its key.
    pub fn text<'a>(&'a self, reply: &OldValue, current: &'a str) -> &'a str {
        let value = match self.live.get(&reply.key) {
            Some(held) if held.generation == reply.generation => current,
            _ => self
                .replaced
                .get(&(reply.key.clone(), reply.generation))
                .map_or("", |r| r.value.as_str()),
        };
        value.get(..reply.len).unwrap_or(value)
    }

    /// A Put is about to replace `key`'s value, `old`: kept replies that point into it
    /// get it moved here.
    pub fn replacing(&mut self, key: &str, old: String) {
        if let Some(held) = self.live.remove(key) {
            let replaced = Replaced {
                value: old,
                holders: held.holders,
            };
            self.replaced
                .insert((key.to_string(), held.generation), replaced);
        }
    }

    /// A kept reply is dropped (its clerk wrote again): the value it pointed into is
    /// freed once no kept reply points into it.
    pub fn release(&mut self, reply: OldValue) {
        if let Some(held) = self.live.get_mut(&reply.key)
            && held.generation == reply.generation
        {
            held.holders = held.holders.saturating_sub(1);
            if held.holders == 0 {
                self.live.remove(&reply.key);
            }
            return;
        }
        let at = (reply.key, reply.generation);
        if let Some(replaced) = self.replaced.get_mut(&at) {
            replaced.holders = replaced.holders.saturating_sub(1);
            if replaced.holders == 0 {
                self.replaced.remove(&at);
            }
        }
    }

    /// Bytes of replaced values held for kept replies.
    pub fn replaced_bytes(&self) -> usize {
        self.replaced.values().map(|r| r.value.len()).sum()
    }
}
