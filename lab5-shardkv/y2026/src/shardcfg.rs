//! The course's `shardcfg` package, given to students and not to be changed: a numbered
//! [`ShardConfig`] (which group serves each of the [`N_SHARDS`] shards, and each group's
//! servers), [`key2shard`], and the one deterministic [`ShardConfig::rebalance`].
//!
//! The tests compute the configurations they hand the controller with `join_balance` and
//! `leave_balance`, and predict from them which shards stay put (`TestProgressJoin5A`),
//! so the rebalancing is the course's step for step: a different but equally balanced
//! placement would move other shards than the test expects to stay available.

use common::hash::fnv1a_32;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Shards the keys are split into (`NShards`).
pub const N_SHARDS: usize = 12;

/// A shard (`Tshid`): `0..N_SHARDS`.
pub type Tshid = usize;

/// A configuration number (`Tnum`): one more per change.
pub type Tnum = u64;

/// A group id (`tester.Tgid`); 0 is no group (and, in the tester, the controller's
/// KV server).
pub type Tgid = u64;

/// The first configuration's number (`NumFirst`).
pub const NUM_FIRST: Tnum = 1;

/// The group that starts with every shard (`Gid1`).
pub const GID1: Tgid = 1;

/// The shard `key` belongs to (`Key2Shard`): FNV-1a of its bytes, mod [`N_SHARDS`].
pub fn key2shard(key: &str) -> Tshid {
    fnv1a_32(key.as_bytes()) as usize % N_SHARDS
}

/// One configuration (`ShardConfig`). Its JSON (the course's field names) is how the
/// controller stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardConfig {
    /// Its number.
    #[serde(rename = "Num")]
    pub num: Tnum,
    /// The group serving each shard; 0 for none.
    #[serde(rename = "Shards")]
    pub shards: [Tgid; N_SHARDS],
    /// Each group's servers, by name.
    #[serde(rename = "Groups")]
    pub groups: BTreeMap<Tgid, Vec<String>>,
}

impl Default for ShardConfig {
    fn default() -> Self {
        ShardConfig::new()
    }
}

impl fmt::Display for ShardConfig {
    /// The JSON form (`String()`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

impl ShardConfig {
    /// Number 0: every shard on gid 0, no groups (`MakeShardConfig`).
    pub fn new() -> ShardConfig {
        ShardConfig {
            num: 0,
            shards: [0; N_SHARDS],
            groups: BTreeMap::new(),
        }
    }

    /// Decodes the JSON of [`fmt::Display`] (`FromString`); the course's is fatal on bad
    /// JSON, this one an error for the caller.
    ///
    /// # Errors
    /// When `s` is not a configuration's JSON.
    pub fn from_string(s: &str) -> Result<ShardConfig, serde_json::Error> {
        serde_json::from_str(s)
    }

    /// Adds the groups in `servers` and numbers the result one more (`Join`); false if
    /// one of them is already present (and then nothing changes).
    ///
    /// # Panics
    /// As the course's is fatal: a server named in two groups, or no group given.
    pub fn join(&mut self, servers: &BTreeMap<Tgid, Vec<String>>) -> bool {
        if let Some(gid) = servers.keys().find(|gid| self.groups.contains_key(gid)) {
            tracing::info!(gid, "re-Join");
            return false;
        }
        for (gid, names) in servers {
            for (xgid, xnames) in &self.groups {
                if let Some(s) = names.iter().find(|s| xnames.contains(s)) {
                    panic!("Join({gid}) puts server {s} in groups {xgid} and {gid}");
                }
            }
            self.groups.insert(*gid, names.clone());
        }
        assert!(!servers.is_empty(), "Join but no change");
        // A number read back at its largest stays there: the controller refuses such a
        // configuration as not following the current one.
        self.num = self.num.saturating_add(1);
        true
    }

    /// Removes the groups `gids` and numbers the result one more (`Leave`); false if one
    /// of them is not present (and then nothing changes).
    ///
    /// # Panics
    /// As the course's is fatal: no group given.
    pub fn leave(&mut self, gids: &[Tgid]) -> bool {
        if let Some(gid) = gids.iter().find(|gid| !self.groups.contains_key(gid)) {
            tracing::info!(gid, "Leave but not in config");
            return false;
        }
        assert!(!gids.is_empty(), "Leave but no change");
        for gid in gids {
            self.groups.remove(gid);
        }
        self.num = self.num.saturating_add(1);
        true
    }

    /// Shards per group, every group counted, in ascending gid order.
    fn loads(&self) -> BTreeMap<Tgid, usize> {
        let mut loads: BTreeMap<Tgid, usize> = self.groups.keys().map(|&g| (g, 0)).collect();
        for gid in &self.shards {
            if let Some(n) = loads.get_mut(gid) {
                *n += 1;
            }
        }
        loads
    }

    /// The course's `Rebalance`: every shard of a group not in the configuration goes to
    /// the least-loaded group, then the lowest shard of the most-loaded group moves to the
    /// least-loaded one until they differ by at most one. Ties go to the lowest gid.
    pub fn rebalance(&mut self) {
        if self.groups.is_empty() {
            self.shards = [0; N_SHARDS];
            return;
        }
        for shard in 0..N_SHARDS {
            if !self.groups.contains_key(&self.shards[shard]) {
                let (least, _) = extreme(&self.loads(), |n, best| n < best);
                self.shards[shard] = least;
            }
        }
        loop {
            let loads = self.loads();
            let (most, max) = extreme(&loads, |n, best| n > best);
            let (least, min) = extreme(&loads, |n, best| n < best);
            if max < min + 2 {
                return;
            }
            let shard = self
                .shards
                .iter()
                .position(|&g| g == most)
                .expect("the most-loaded group has a shard");
            self.shards[shard] = least;
        }
    }

    /// [`ShardConfig::join`], then [`ShardConfig::rebalance`] (`JoinBalance`).
    pub fn join_balance(&mut self, servers: &BTreeMap<Tgid, Vec<String>>) -> bool {
        if !self.join(servers) {
            return false;
        }
        self.rebalance();
        true
    }

    /// [`ShardConfig::leave`], then [`ShardConfig::rebalance`] (`LeaveBalance`).
    pub fn leave_balance(&mut self, gids: &[Tgid]) -> bool {
        if !self.leave(gids) {
            return false;
        }
        self.rebalance();
        true
    }

    /// The group serving `shard` and its servers, if it has one (`GidServers`).
    pub fn gid_servers(&self, shard: Tshid) -> Option<(Tgid, &[String])> {
        let gid = self.shards[shard];
        self.groups.get(&gid).map(|s| (gid, s.as_slice()))
    }

    /// Whether some shard is on `gid` (`IsMember`).
    pub fn is_member(&self, gid: Tgid) -> bool {
        self.shards.contains(&gid)
    }

    /// The course's `CheckConfig`: exactly the groups `groups`, every shard on one of
    /// them, and loads within one of each other.
    ///
    /// # Panics
    /// With the course's message, when one of those fails.
    #[track_caller]
    pub fn check_config(&self, groups: &[Tgid]) {
        assert!(
            self.groups.len() == groups.len(),
            "wanted {} groups, got {}",
            groups.len(),
            self.groups.len()
        );
        for g in groups {
            assert!(self.groups.contains_key(g), "missing group {g}");
        }
        if self.groups.is_empty() {
            return;
        }
        for (shard, gid) in self.shards.iter().enumerate() {
            assert!(
                self.groups.contains_key(gid),
                "shard {shard} -> invalid group {gid}"
            );
        }
        let loads = self.loads();
        let (_, max) = extreme(&loads, |n, best| n > best);
        let (_, min) = extreme(&loads, |n, best| n < best);
        assert!(max <= min + 1, "max {max} too much larger than min {min}");
    }
}

/// The first group, in ascending gid order, whose load beats every earlier one's by
/// `better`. `loads` is not empty.
fn extreme(loads: &BTreeMap<Tgid, usize>, better: impl Fn(usize, usize) -> bool) -> (Tgid, usize) {
    let mut best: Option<(Tgid, usize)> = None;
    for (&gid, &n) in loads {
        if best.is_none_or(|(_, b)| better(n, b)) {
            best = Some((gid, n));
        }
    }
    best.expect("at least one group")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(gid: Tgid, names: &[&str]) -> BTreeMap<Tgid, Vec<String>> {
        BTreeMap::from([(gid, names.iter().map(|s| s.to_string()).collect())])
    }

    /// The course's `shardcfg` `TestBasic`.
    #[test]
    fn test_basic() {
        let mut cfg = ShardConfig::new();
        cfg.check_config(&[]);
        assert!(cfg.join_balance(&servers(1, &["x", "y", "z"])));
        cfg.check_config(&[1]);
        assert!(cfg.join_balance(&servers(2, &["a", "b", "c"])));
        cfg.check_config(&[1, 2]);
        for (gid, want) in [(1, ["x", "y", "z"]), (2, ["a", "b", "c"])] {
            assert_eq!(cfg.groups[&gid], want, "wrong servers for gid {gid}");
        }
        assert!(cfg.leave_balance(&[1]));
        cfg.check_config(&[2]);
        assert!(cfg.leave_balance(&[2]));
        cfg.check_config(&[]);
    }

    #[test]
    fn rebalance_moves_the_lowest_shards_of_the_busiest_group_to_the_lowest_idle_gid() {
        let mut cfg = ShardConfig::new();
        cfg.join_balance(&servers(1, &["a"]));
        assert_eq!(cfg.shards, [1; N_SHARDS]);
        assert_eq!(cfg.num, 1);
        cfg.join_balance(&servers(2, &["b"]));
        assert_eq!(cfg.shards, [2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]);
        cfg.join_balance(&servers(3, &["c"]));
        assert_eq!(cfg.shards, [3, 3, 2, 2, 2, 2, 3, 3, 1, 1, 1, 1]);
        // Group 2's shards go one by one to the least loaded, the lowest gid on a tie.
        cfg.leave_balance(&[2]);
        assert_eq!(cfg.shards, [3, 3, 1, 3, 1, 3, 3, 3, 1, 1, 1, 1]);
        assert_eq!(cfg.num, 4);
        cfg.check_config(&[1, 3]);
    }

    #[test]
    fn a_rejoin_or_a_missing_leave_changes_nothing() {
        let mut cfg = ShardConfig::new();
        cfg.join_balance(&servers(1, &["a"]));
        let before = cfg.clone();
        assert!(!cfg.join_balance(&servers(1, &["b"])));
        assert!(!cfg.leave_balance(&[7]));
        assert_eq!(cfg, before);
    }

    #[test]
    #[should_panic(expected = "Join(2) puts server a in groups 1 and 2")]
    fn a_server_in_two_groups_is_fatal() {
        let mut cfg = ShardConfig::new();
        cfg.join(&servers(1, &["a"]));
        cfg.join(&servers(2, &["a"]));
    }

    #[test]
    fn the_json_form_has_the_courses_field_names_and_round_trips() {
        let mut cfg = ShardConfig::new();
        cfg.join_balance(&servers(1, &["server-1-0"]));
        let s = cfg.to_string();
        assert!(
            s.starts_with(r#"{"Num":1,"Shards":[1,1,"#)
                && s.ends_with(r#""Groups":{"1":["server-1-0"]}}"#),
            "{s}"
        );
        assert_eq!(ShardConfig::from_string(&s).unwrap(), cfg);
        assert!(ShardConfig::from_string("{").is_err());
    }

    #[test]
    fn keys_hash_to_their_fnv_shard() {
        // FNV-1a("a") = 0xe40c292c; mod 12 is 4.
        assert_eq!(key2shard("a"), 0xe40c_292c_usize % 12);
        assert!((0..100).all(|i| key2shard(&format!("k{i}")) < N_SHARDS));
    }
}
