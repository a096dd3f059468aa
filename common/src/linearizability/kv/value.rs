//! The KV model's state: a value kept as a persistent chain of written pieces with its
//! length and a content hash, so that an Append costs the size of what it appends, not of
//! the whole value.
//!
//! The search clones, hashes and compares states at every step, and the course's fixed-key
//! tests grow one value by thousands of appends: with a plain string each step would copy
//! and hash the whole value (quadratic over a history). Here cloning is a pointer copy,
//! hashing reads the cached hash, and equality is decided by length and hash and confirmed
//! by comparing the bytes, so it is always exact.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

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
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.len == other.0.len
                && self.0.hash == other.0.hash
                && self.eq_str(&other.to_string()))
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
    /// 100,000 deep when dropped.
    fn drop(&mut self) {
        let mut next = self.before.take();
        while let Some(KvValue(arc)) = next {
            match Arc::try_unwrap(arc) {
                Ok(mut node) => next = node.before.take(),
                Err(_) => break,
            }
        }
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
}
