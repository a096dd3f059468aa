//! [`Config`]: one numbered configuration of the sharded service, the shard controller's
//! unit of history; and [`key_to_shard`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The number of shards (the course's `NShards`).
pub const N_SHARDS: usize = 10;

/// The shard of `key`: its first byte modulo [`N_SHARDS`], as the course's `key2shard`
/// (so keys "0".."9" cover every shard); the empty key is shard 0.
pub fn key_to_shard(key: &str) -> usize {
    key.as_bytes().first().map_or(0, |&b| b as usize % N_SHARDS)
}

/// Which replica group serves each shard, and the servers of each group.
///
/// Configuration 0 has no groups and every shard on gid 0, which names no group. The
/// groups are a `BTreeMap`, so every replica iterates them in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// The configuration's number, from 0.
    pub num: u64,
    /// `shards[s]`: the gid of the group serving shard `s` (0: none).
    pub shards: [u64; N_SHARDS],
    /// gid → the names of the group's servers.
    pub groups: BTreeMap<u64, Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_shards_by_their_first_byte() {
        let shards: Vec<usize> = (0..10).map(|i| key_to_shard(&i.to_string())).collect();
        assert_eq!(shards, [8, 9, 0, 1, 2, 3, 4, 5, 6, 7], "'0' is byte 48");
        assert_eq!(key_to_shard(""), 0);
        assert_eq!(key_to_shard("a"), 97 % 10);
    }
}
