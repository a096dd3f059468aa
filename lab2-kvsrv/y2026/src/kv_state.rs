//! [`KvState`]: the versioned map, a pure state machine (no locks, no I/O): key ->
//! (value, version). Lab 2's server holds one; the 2026 Lab 4 replicates it through Raft.
//! A Put applies only at the key's version (0 creates the key), which is all a retried
//! Put needs: there is nothing per clerk.

use common::kvtest::rpc::{GetArgs, GetReply, KvErr, PutArgs, PutReply, Tversion};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The versioned map. Ordered, so that its snapshot's bytes are the same on every replica.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvState {
    map: BTreeMap<String, (String, Tversion)>,
}

impl KvState {
    /// An empty map.
    pub fn new() -> KvState {
        KvState::default()
    }

    /// `Get`: the key's value and version, or `ErrNoKey`.
    pub fn get(&self, args: &GetArgs) -> GetReply {
        match self.map.get(&args.key) {
            Some((value, version)) => GetReply {
                value: value.clone(),
                version: *version,
                err: KvErr::Ok,
            },
            None => GetReply {
                value: String::new(),
                version: 0,
                err: KvErr::ErrNoKey,
            },
        }
    }

    /// `Put`: applies at the key's version (a missing key has version 0), else
    /// `ErrVersion`, or `ErrNoKey` for a missing key and a version above 0.
    pub fn put(&mut self, args: PutArgs) -> PutReply {
        let err = match self.map.get_mut(&args.key) {
            Some((value, version)) if *version == args.version => {
                *value = args.value;
                *version += 1;
                KvErr::Ok
            }
            Some(_) => KvErr::ErrVersion,
            None if args.version == 0 => {
                self.map.insert(args.key, (args.value, 1));
                KvErr::Ok
            }
            None => KvErr::ErrNoKey,
        };
        PutReply { err }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(s: &mut KvState, key: &str, value: &str, version: Tversion) -> KvErr {
        s.put(PutArgs {
            key: key.into(),
            value: value.into(),
            version,
        })
        .err
    }

    #[test]
    fn a_put_applies_only_at_the_keys_version() {
        let mut s = KvState::new();
        assert_eq!(put(&mut s, "k", "a", 1), KvErr::ErrNoKey);
        assert_eq!(put(&mut s, "k", "a", 0), KvErr::Ok);
        assert_eq!(put(&mut s, "k", "b", 0), KvErr::ErrVersion);
        assert_eq!(put(&mut s, "k", "b", 1), KvErr::Ok);
        let got = s.get(&GetArgs { key: "k".into() });
        assert_eq!(
            (got.value.as_str(), got.version, got.err),
            ("b", 2, KvErr::Ok)
        );
        let missing = s.get(&GetArgs { key: "x".into() });
        assert_eq!(missing.err, KvErr::ErrNoKey);
    }
}
