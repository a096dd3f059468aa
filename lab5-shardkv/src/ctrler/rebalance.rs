//! [`rebalance`]: the controller's shard assignment after a Join or a Leave. Pure and
//! deterministic: every replica of the controller must compute the same configuration, so
//! it depends only on the current assignment and the set of gids (ordered), never on a
//! hash map's order.
//!
//! Two goals, in this order: the groups' shard counts differ by at most one, and as few
//! shards as possible move. With `G` groups each gets `N / G` shards, and `N % G` of them
//! one more. Giving the extra shards to the groups that already hold the most keeps the
//! most shards in place, so only shards of departed groups (or of gid 0) and a group's
//! excess over its target move, and each goes to a group below its target.

use crate::config::N_SHARDS;
use std::collections::{BTreeMap, BTreeSet};

/// Reassigns `shards` (shard → gid) over `groups`: balanced, with the fewest moves. With no
/// groups every shard goes to gid 0.
pub fn rebalance(shards: &mut [u64; N_SHARDS], groups: &BTreeSet<u64>) {
    if groups.is_empty() {
        *shards = [0; N_SHARDS];
        return;
    }
    let mut owned: BTreeMap<u64, Vec<usize>> = groups.iter().map(|&g| (g, Vec::new())).collect();
    let mut free = Vec::new();
    for (shard, gid) in shards.iter().enumerate() {
        match owned.get_mut(gid) {
            Some(list) => list.push(shard),
            None => free.push(shard),
        }
    }
    let targets = targets(&owned);
    // Groups above their target give up their highest shards.
    for (gid, list) in owned.iter_mut() {
        while list.len() > targets[gid] {
            free.extend(list.pop());
        }
    }
    free.sort_unstable();
    let mut free = free.into_iter();
    // Groups below their target take free shards, lowest gid and lowest shard first.
    for (gid, list) in owned.iter_mut() {
        while list.len() < targets[gid] {
            let shard = free.next().expect("targets add up to N_SHARDS");
            list.push(shard);
        }
    }
    for (&gid, list) in &owned {
        for &shard in list {
            shards[shard] = gid;
        }
    }
}

/// Each group's shard count after rebalancing: `N / G`, and one more for the `N % G`
/// groups that hold the most now (ties to the lower gid).
fn targets(owned: &BTreeMap<u64, Vec<usize>>) -> BTreeMap<u64, usize> {
    let g = owned.len();
    let (base, extra) = (N_SHARDS / g, N_SHARDS % g);
    let mut order: Vec<(&u64, usize)> = owned.iter().map(|(gid, l)| (gid, l.len())).collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    order
        .into_iter()
        .enumerate()
        .map(|(rank, (&gid, _))| (gid, base + usize::from(rank < extra)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    fn set(gids: &[u64]) -> BTreeSet<u64> {
        gids.iter().copied().collect()
    }

    fn counts(shards: &[u64; N_SHARDS], groups: &BTreeSet<u64>) -> Vec<usize> {
        groups
            .iter()
            .map(|g| shards.iter().filter(|s| *s == g).count())
            .collect()
    }

    fn moved(a: &[u64; N_SHARDS], b: &[u64; N_SHARDS]) -> usize {
        a.iter().zip(b).filter(|(x, y)| x != y).count()
    }

    /// The fewest moves any balanced assignment over `groups` needs from `before`, by
    /// trying every choice of the groups that get one shard more than the others.
    fn fewest_moves(before: &[u64; N_SHARDS], groups: &BTreeSet<u64>) -> usize {
        let gids: Vec<u64> = groups.iter().copied().collect();
        let g = gids.len();
        let (base, extra) = (N_SHARDS / g, N_SHARDS % g);
        let held: Vec<usize> = gids
            .iter()
            .map(|gid| before.iter().filter(|s| *s == gid).count())
            .collect();
        let mut best = 0;
        for mask in 0u32..(1 << g) {
            if mask.count_ones() as usize != extra {
                continue;
            }
            let kept: usize = (0..g)
                .map(|i| held[i].min(base + usize::from(mask & (1 << i) != 0)))
                .sum();
            best = best.max(kept);
        }
        N_SHARDS - best
    }

    #[test]
    fn the_first_join_takes_every_shard() {
        let mut shards = [0; N_SHARDS];
        rebalance(&mut shards, &set(&[7]));
        assert_eq!(shards, [7; N_SHARDS]);
    }

    #[test]
    fn a_join_takes_shards_only_from_the_fullest_groups() {
        let mut shards = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2];
        rebalance(&mut shards, &set(&[1, 2, 3]));
        assert_eq!(shards, [1, 1, 1, 1, 3, 2, 2, 2, 3, 3]);
    }

    #[test]
    fn a_leave_hands_out_only_the_departed_groups_shards() {
        let mut shards = [1, 1, 1, 1, 3, 2, 2, 2, 3, 3];
        rebalance(&mut shards, &set(&[2, 3]));
        assert_eq!(shards, [2, 2, 3, 3, 3, 2, 2, 2, 3, 3]);
        rebalance(&mut shards, &BTreeSet::new());
        assert_eq!(shards, [0; N_SHARDS], "no groups: every shard to gid 0");
    }

    #[test]
    fn more_groups_than_shards_leaves_some_groups_without() {
        let mut shards = [0; N_SHARDS];
        let groups: BTreeSet<u64> = (1..=12).collect();
        rebalance(&mut shards, &groups);
        let c = counts(&shards, &groups);
        assert_eq!(c.iter().filter(|&&n| n == 1).count(), 10);
        assert_eq!(c.iter().filter(|&&n| n == 0).count(), 2);
    }

    /// Property: after any sequence of joins and leaves (and moves, which unbalance),
    /// every shard is on a group, counts differ by at most one, and no balanced
    /// assignment needed fewer moves; and the result depends only on the inputs.
    #[test]
    fn random_joins_and_leaves_stay_balanced_with_fewest_moves() {
        for seed in 0..300 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut groups = BTreeSet::new();
            let mut shards = [0; N_SHARDS];
            for step in 0..40 {
                let before = shards;
                match rng.random_range(0..3) {
                    0 if groups.len() < 12 => {
                        groups.insert(rng.random_range(1..20));
                    }
                    1 if !groups.is_empty() => {
                        let gids: Vec<u64> = groups.iter().copied().collect();
                        groups.remove(&gids[rng.random_range(0..gids.len())]);
                    }
                    _ if !groups.is_empty() => {
                        // A Move, then a rebalance from that unbalanced state.
                        let gids: Vec<u64> = groups.iter().copied().collect();
                        shards[rng.random_range(0..N_SHARDS)] =
                            gids[rng.random_range(0..gids.len())];
                    }
                    _ => continue,
                }
                let start = shards;
                rebalance(&mut shards, &groups);
                let mut again = start;
                rebalance(&mut again, &groups);
                assert_eq!(again, shards, "seed {seed} step {step}: deterministic");
                if groups.is_empty() {
                    assert_eq!(shards, [0; N_SHARDS]);
                    continue;
                }
                assert!(
                    shards.iter().all(|g| groups.contains(g)),
                    "seed {seed} step {step}: {shards:?} over {groups:?}"
                );
                let c = counts(&shards, &groups);
                let (min, max) = (c.iter().min().unwrap(), c.iter().max().unwrap());
                assert!(max - min <= 1, "seed {seed} step {step}: counts {c:?}");
                assert_eq!(
                    moved(&start, &shards),
                    fewest_moves(&start, &groups),
                    "seed {seed} step {step}: from {start:?} (before {before:?}) over {groups:?}"
                );
            }
        }
    }
}
