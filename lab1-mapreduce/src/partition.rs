//! Which reduce task a key goes to.
//!
//! Every worker must agree on it, across processes and builds, so it is a fixed hash
//! (32-bit FNV-1a, masked to 31 bits as the course's `ihash` does) and never
//! `DefaultHasher`, whose output Rust does not promise to keep.

/// The course's `ihash`: FNV-1a over the key's bytes, with the sign bit cleared.
pub fn ihash(key: &str) -> u32 {
    common::hash::fnv1a_32(key.as_bytes()) & 0x7fff_ffff
}

/// The reduce task, in `0..n_reduce`, that receives `key`.
pub fn reduce_task(key: &str, n_reduce: usize) -> usize {
    ihash(key) as usize % n_reduce
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_fnv1a_reference_values() {
        // FNV-1a 32-bit of "" and "a" are 0x811c9dc5 and 0xe40c292c (published values).
        assert_eq!(ihash(""), 0x811c_9dc5 & 0x7fff_ffff);
        assert_eq!(ihash("a"), 0xe40c_292c & 0x7fff_ffff);
    }

    #[test]
    fn every_key_lands_in_range() {
        for key in ["", "a", "the", "zzzzzz"] {
            assert!(reduce_task(key, 10) < 10);
        }
    }
}
