//! [`fnv1a_32`]: the one fixed string hash the labs place keys with (Lab 1's reduce
//! partitions, the 2026 Lab 5's shards). Every process and build must agree on it, so it
//! is the published FNV-1a and never `DefaultHasher`, whose output Rust does not promise
//! to keep.

/// 32-bit FNV-1a over `bytes` (Go's `hash/fnv.New32a`).
pub fn fnv1a_32(bytes: &[u8]) -> u32 {
    const OFFSET_BASIS: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;
    bytes
        .iter()
        .fold(OFFSET_BASIS, |h, &b| (h ^ u32::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::fnv1a_32;

    #[test]
    fn matches_the_published_fnv1a_values() {
        assert_eq!(fnv1a_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a_32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a_32(b"foobar"), 0xbf9c_f968);
    }
}
