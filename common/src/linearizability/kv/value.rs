//! A KV value kept as a persistent chain of pieces with its length and a content hash, so
//! that a value built from an earlier one by appending costs the appended piece, not the
//! whole value. It is both the model's state and what a recorded operation returned.
//!
//! The search clones, hashes and compares states at every step, and the course's fixed-key
//! tests grow one value by thousands of appends: with a plain string each step would copy
//! and hash the whole value (quadratic over a history). Here cloning is a pointer copy,
//! hashing reads the cached hash, and equality is decided by length and hash and confirmed
//! by comparing the bytes, so it is always exact.
//!
//! Comparing bytes walks two chains of small pieces, which would make every Get of a long
//! value cost its whole length. But a Get usually reads what an earlier Get read plus a few
//! appends, and the search compares it with a state that extends one it compared before.
//! So a node remembers one older node it was found equal to, and a comparison that reaches
//! such a pair of nodes stops there: each comparison costs what changed since the last.
//!
//! The same holds for a recorded history: each Get of such a key returns the whole value,
//! and 150,000 reads of values averaging 25 KB would hold gigabytes as separate strings.
//! [`SharedValues`] records each value read as the previous one read of its key plus what
//! was appended since, so the history costs about what was written.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Base of the polynomial content hash (odd, so multiplication by it is invertible).
const BASE: u64 = 0x100_0000_01b3;

/// A value of one key.
#[derive(Clone)]
pub struct KvValue(Arc<Node>);

struct Node {
    /// What the last Put or Append wrote.
    piece: Box<str>,
    /// The value before an Append; `None` after a Put or at the start.
    before: Option<KvValue>,
    len: usize,
    hash: u64,
    /// Creation order: a node only remembers an *older* equal node, so these links never
    /// form a cycle (which would leak). It decides nothing else.
    serial: u64,
    /// An older node found to hold the same bytes.
    equal: OnceLock<KvValue>,
}

/// The next node's `serial`.
static SERIAL: AtomicU64 = AtomicU64::new(0);

fn next_serial() -> u64 {
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |h, &b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(b))
    })
}

impl KvValue {
    /// The value `text`, as a Put leaves it.
    pub fn new(text: &str) -> KvValue {
        KvValue(Arc::new(Node {
            piece: text.into(),
            before: None,
            len: text.len(),
            hash: hash_bytes(text.as_bytes()),
            serial: next_serial(),
            equal: OnceLock::new(),
        }))
    }

    /// This value with `piece` appended.
    pub fn append(&self, piece: &str) -> KvValue {
        let shift = BASE.wrapping_pow(u32::try_from(piece.len()).unwrap_or(u32::MAX));
        KvValue(Arc::new(Node {
            piece: piece.into(),
            before: Some(self.clone()),
            len: self.0.len + piece.len(),
            hash: self
                .0
                .hash
                .wrapping_mul(shift)
                .wrapping_add(hash_bytes(piece.as_bytes())),
            serial: next_serial(),
            equal: OnceLock::new(),
        }))
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// Whether it equals `text`, comparing bytes from the end, piece by piece.
    pub fn eq_str(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        if bytes.len() != self.0.len {
            return false;
        }
        let mut end = bytes.len();
        let mut node = Some(self);
        while let Some(KvValue(n)) = node {
            let piece = n.piece.as_bytes();
            if bytes[end - piece.len()..end] != *piece {
                return false;
            }
            end -= piece.len();
            node = n.before.as_ref();
        }
        end == 0
    }

    /// Bytes the newest piece adds (what one more state costs the search's memo).
    pub fn piece_len(&self) -> usize {
        self.0.piece.len()
    }
}

impl std::fmt::Display for KvValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut pieces = Vec::new();
        let mut node = Some(self);
        while let Some(KvValue(n)) = node {
            pieces.push(&*n.piece);
            node = n.before.as_ref();
        }
        for piece in pieces.iter().rev() {
            f.write_str(piece)?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for KvValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl PartialEq for KvValue {
    fn eq(&self, other: &KvValue) -> bool {
        if self.0.len != other.0.len || self.0.hash != other.0.hash {
            return false;
        }
        if !same_bytes(self, other) {
            return false;
        }
        // Remember the pair, on the newer node, for comparisons of values built on them.
        if !Arc::ptr_eq(&self.0, &other.0) {
            let (newer, older) = if self.0.serial > other.0.serial {
                (self, other)
            } else {
                (other, self)
            };
            // Only the first equal node is kept; any one will do.
            let _ = newer.0.equal.set(older.clone());
        }
        true
    }
}

/// Whether two nodes are known to hold the same bytes without comparing them.
fn known_equal(a: &Arc<Node>, b: &Arc<Node>) -> bool {
    Arc::ptr_eq(a, b)
        || a.equal.get().is_some_and(|e| Arc::ptr_eq(&e.0, b))
        || b.equal.get().is_some_and(|e| Arc::ptr_eq(&e.0, a))
}

/// Whether two values of equal length hold the same bytes: walks both chains from the end,
/// comparing overlapping stretches of their pieces, and stops early where both reach the
/// end of nodes known to be equal.
fn same_bytes(a: &KvValue, b: &KvValue) -> bool {
    // Each side: the current node, and how many bytes of its piece are not yet compared.
    let mut a = (Some(&a.0), a.0.piece.len());
    let mut b = (Some(&b.0), b.0.piece.len());
    loop {
        while let (Some(n), 0) = a {
            a = (
                n.before.as_ref().map(|v| &v.0),
                n.before.as_ref().map_or(0, |v| v.0.piece.len()),
            );
        }
        while let (Some(n), 0) = b {
            b = (
                n.before.as_ref().map(|v| &v.0),
                n.before.as_ref().map_or(0, |v| v.0.piece.len()),
            );
        }
        let (Some(na), Some(nb)) = (a.0, b.0) else {
            // Equal lengths: both ends are reached together.
            return a.0.is_none() && b.0.is_none();
        };
        if a.1 == na.piece.len() && b.1 == nb.piece.len() && known_equal(na, nb) {
            // What remains on each side is the whole value of a node, and they are equal.
            return true;
        }
        let n = a.1.min(b.1);
        if na.piece.as_bytes()[a.1 - n..a.1] != nb.piece.as_bytes()[b.1 - n..b.1] {
            return false;
        }
        a.1 -= n;
        b.1 -= n;
    }
}

impl PartialEq<str> for KvValue {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for KvValue {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl Default for KvValue {
    /// The empty value, as a missing key reads.
    fn default() -> KvValue {
        KvValue::new("")
    }
}

impl From<&str> for KvValue {
    fn from(text: &str) -> KvValue {
        KvValue::new(text)
    }
}

impl From<String> for KvValue {
    fn from(text: String) -> KvValue {
        KvValue::new(&text)
    }
}

impl Serialize for KvValue {
    /// As the string it stands for.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KvValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KvValue, D::Error> {
        String::deserialize(deserializer).map(KvValue::from)
    }
}

impl Eq for KvValue {}

impl Hash for KvValue {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash);
    }
}

impl Drop for Node {
    /// Unlinks the chain iteratively: a value built by 100,000 appends must not recurse
    /// 100,000 deep when dropped. Nodes reached through `equal` go on a list (allocated
    /// only if there are any) and are unlinked the same way.
    fn drop(&mut self) {
        let mut others: Vec<KvValue> = self.equal.take().into_iter().collect();
        let mut next = self.before.take();
        loop {
            while let Some(KvValue(arc)) = next.take() {
                if let Ok(mut node) = Arc::try_unwrap(arc) {
                    others.extend(node.equal.take());
                    next = node.before.take();
                }
            }
            match others.pop() {
                Some(value) => next = Some(value),
                None => break,
            }
        }
    }
}

/// Records the values read from each key so that successive reads share what they have in
/// common; see the module documentation. Safe to use from many tasks at once.
#[derive(Default)]
pub struct SharedValues {
    /// Per key: the last value recorded, as text (to compare the next one against it in
    /// one pass) and as the chain that the next one extends.
    last: Mutex<HashMap<String, (String, KvValue)>>,
}

impl SharedValues {
    /// Nothing recorded yet.
    pub fn new() -> SharedValues {
        SharedValues::default()
    }

    /// `text`, read from `key`, as a value that shares the last value recorded for `key`
    /// when it equals or extends it.
    pub fn value(&self, key: &str, text: String) -> KvValue {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let value = match last.get(key) {
            Some((before, value)) if *before == text => return value.clone(),
            Some((before, value)) if text.starts_with(before.as_str()) => {
                value.append(&text[before.len()..])
            }
            _ => KvValue::new(&text),
        };
        last.insert(key.to_string(), (text, value.clone()));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_equal_the_same_text_built_otherwise() {
        let a = KvValue::new("ab").append("cd").append("e");
        let b = KvValue::new("a").append("bcde");
        let c = KvValue::new("abcde");
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.to_string(), "abcde");
        assert!(a.eq_str("abcde") && !a.eq_str("abcdf") && !a.eq_str("abcd"));
        assert_ne!(a, KvValue::new("abcdf"));
        let hash = |v: &KvValue| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            v.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&c));
        assert_eq!(KvValue::new("").len(), 0);
    }

    #[test]
    fn a_long_chain_drops_without_deep_recursion() {
        let mut v = KvValue::new("");
        for _ in 0..1_000_000 {
            v = v.append("x");
        }
        assert_eq!(v.len(), 1_000_000);
        drop(v);
    }

    #[test]
    fn values_equal_across_different_piece_boundaries() {
        let a = KvValue::new("abc").append("").append("def").append("g");
        let b = KvValue::new("a").append("bcdefg");
        assert_eq!(a, b);
        assert_eq!(b, a);
        assert_eq!(a, "abcdefg");
        assert_ne!(a, KvValue::new("abcdefh"));
        assert_eq!(KvValue::default(), KvValue::new("").append(""));
        let shared = KvValue::new("xyz");
        assert_eq!(shared.append("1"), shared.append("1"));
    }

    #[test]
    fn equal_length_and_hash_still_compare_bytes() {
        // Two different values with a colliding length and hash are unequal: forge the hash.
        let a = KvValue::new("ab");
        let b = KvValue(Arc::new(Node {
            piece: "ba".into(),
            before: None,
            len: 2,
            hash: a.0.hash,
            serial: next_serial(),
            equal: OnceLock::new(),
        }));
        assert_ne!(a, b);
    }

    #[test]
    fn shared_values_extend_the_last_read_of_a_key() {
        let shared = SharedValues::new();
        let first = shared.value("k", "ab".to_string());
        let again = shared.value("k", "ab".to_string());
        assert!(
            Arc::ptr_eq(&first.0, &again.0),
            "an equal read is the same value"
        );
        let longer = shared.value("k", "abcd".to_string());
        assert_eq!(
            longer.piece_len(),
            2,
            "a longer read adds only what was appended"
        );
        assert_eq!(longer, "abcd");
        let other = shared.value("k", "x".to_string());
        assert_eq!(other, "x");
        assert_eq!(shared.value("j", "ab".to_string()), "ab");
    }

    #[test]
    fn a_value_serializes_as_its_text() {
        let v = KvValue::new("a\"b").append("c");
        let json = serde_json::to_string(&v).expect("serialize");
        assert_eq!(json, r#""a\"bc""#);
        let back: KvValue = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, v);
    }

    #[test]
    fn a_comparison_stops_at_nodes_found_equal_before() {
        // Built from different pieces, so only a byte comparison can tell them equal.
        let mut read = KvValue::new("");
        let mut state = KvValue::new("");
        for i in 0..1000 {
            state = state.append(&format!("x {i} y"));
            if i % 3 == 0 {
                read = read.append(&state.to_string()[read.len()..]);
                assert_eq!(read, state);
                assert!(known_equal(&read.0, &state.0), "remembered");
            }
        }
        // A forged node that claims the same hash but differs is still unequal, though it
        // extends nodes known to be equal.
        let last = read.append("");
        assert_eq!(last, read);
        let wrong = KvValue(Arc::new(Node {
            piece: "zz".into(),
            len: read.len() + 2,
            hash: read.append("ab").0.hash,
            before: Some(read.clone()),
            serial: next_serial(),
            equal: OnceLock::new(),
        }));
        assert_ne!(wrong, state.append("ab"));
        assert_eq!(read.append("ab"), state.append("ab"));
    }

    #[test]
    fn equal_links_drop_without_leaks_or_deep_recursion() {
        let mut a = KvValue::new("");
        let mut b = KvValue::new("");
        for _ in 0..200_000 {
            a = a.append("x");
            b = b.append("x");
            assert_eq!(a, b);
        }
        let weak = Arc::downgrade(&a.0);
        drop(a);
        drop(b);
        assert!(weak.upgrade().is_none(), "no cycle keeps a node alive");
    }
}
