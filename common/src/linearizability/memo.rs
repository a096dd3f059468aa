//! The search's memo: the configurations (set of placed operations, model state) it has
//! explored already, so that each is explored once (Lowe's improvement of Wing & Gong),
//! with the small bit set and fixed hasher it is built from.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// A set of local operation numbers.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct Bits(Vec<u64>);

impl Bits {
    pub(super) fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    pub(super) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    pub(super) fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

/// FxHash: fast and fixed, so the memo behaves the same on every run.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
}

/// The memo of configurations already explored.
pub(super) struct Memo<S> {
    buckets: HashMap<u64, Vec<(Bits, S)>, std::hash::BuildHasherDefault<FxHasher>>,
    /// What the memo holds, roughly, in bytes (for the search's memory budget).
    pub(super) bytes: usize,
}

impl<S: Clone + Eq + Hash> Memo<S> {
    pub(super) fn new() -> Memo<S> {
        Memo {
            buckets: HashMap::default(),
            bytes: 0,
        }
    }

    /// Records (bits, state); false if it was already there.
    pub(super) fn insert(&mut self, bits: &Bits, state: &S, state_bytes: usize) -> bool {
        let mut h = FxHasher::default();
        bits.hash(&mut h);
        state.hash(&mut h);
        let bucket = self.buckets.entry(h.finish()).or_default();
        if bucket.iter().any(|(b, s)| b == bits && s == state) {
            return false;
        }
        bucket.push((bits.clone(), state.clone()));
        self.bytes += bits.0.len() * 8 + state_bytes + 2 * std::mem::size_of::<usize>();
        true
    }
}
