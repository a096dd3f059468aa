//! The controller's decisions, as pure functions of what it read: which shards a change
//! moves, whether this controller may make a change, whether a new controller must
//! finish one its predecessor left, and what a `FreezeShard` answer means for the move.
//!
//! The controller keeps two configurations in the KV server: the *current* one, which
//! clerks use, and the *next* one, posted before any shard moves. Only the controller
//! whose versioned Put of the next configuration succeeds makes that change (Part C);
//! a controller that finds a next configuration newer than the current one finishes it
//! (Part B). Making or finishing a change is the same idempotent walk over its moves.

use crate::shardcfg::{N_SHARDS, ShardConfig, Tgid, Tnum, Tshid};
use crate::shardgrp::rpc::FreezeShardReply;
use common::kvtest::rpc::{KvErr, Tversion};

/// One shard a change moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// The shard.
    pub shard: Tshid,
    /// The group serving it now.
    pub from: Tgid,
    /// The group serving it after the change.
    pub to: Tgid,
}

/// The shards whose group differs between `from` and `to`, in shard order.
pub fn moves(from: &ShardConfig, to: &ShardConfig) -> Vec<Move> {
    (0..N_SHARDS)
        .filter(|&s| from.shards[s] != to.shards[s])
        .map(|shard| Move {
            shard,
            from: from.shards[shard],
            to: to.shards[shard],
        })
        .collect()
}

/// What `ChangeConfigTo(new)` does, given the current configuration and the stored next
/// one (with its version; none stored is version 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Post `new` as the next configuration with a Put at this version; the change is
    /// this controller's if the Put succeeds.
    Post {
        /// The next configuration's version now.
        at: Tversion,
    },
    /// Another controller posted a change with this number (or a later one) first.
    Taken,
    /// `new` does not follow the current configuration.
    NotNext,
    /// `new` leaves a shard with no group, and its data with nowhere to go.
    DropsShards,
}

/// See [`Change`].
pub fn change(
    current: &ShardConfig,
    next: Option<(&ShardConfig, Tversion)>,
    new: &ShardConfig,
) -> Change {
    if new.num != current.num + 1 {
        return Change::NotNext;
    }
    if moves(current, new).iter().any(|m| m.to == 0) {
        return Change::DropsShards;
    }
    match next {
        Some((next, _)) if next.num >= new.num => Change::Taken,
        Some((_, at)) => Change::Post { at },
        None => Change::Post { at: 0 },
    }
}

/// Whether a new controller must finish the stored next configuration (`InitController`):
/// it was posted, so its controller began moving shards, but it is not current yet.
pub fn unfinished<'a>(
    current: &ShardConfig,
    next: Option<&'a ShardConfig>,
) -> Option<&'a ShardConfig> {
    next.filter(|next| next.num > current.num)
}

/// Whether change `num` is done: the current configuration is it, or a later one. A
/// controller still moving its shards then stops: the groups it waits for may have left
/// and been shut down for good once the change was posted.
pub fn finished(current: &ShardConfig, num: Tnum) -> bool {
    current.num >= num
}

/// What a move does after its `FreezeShard` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFreeze {
    /// Install this state at the destination, then delete the shard at the source.
    Install(Vec<u8>),
    /// The source no longer holds the shard under this change: another controller
    /// finishing the same change installed and deleted it already.
    Moved,
    /// A newer change has touched the shard: this controller was overtaken, and must
    /// change nothing more.
    Overtaken,
}

/// See [`AfterFreeze`].
pub fn after_freeze(reply: FreezeShardReply) -> AfterFreeze {
    match reply.err {
        KvErr::Ok => AfterFreeze::Install(reply.state),
        KvErr::ErrNoKey => AfterFreeze::Moved,
        _ => AfterFreeze::Overtaken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn config(num: u64, shards: [Tgid; N_SHARDS]) -> ShardConfig {
        let mut groups = BTreeMap::new();
        for g in shards.iter().filter(|&&g| g != 0) {
            groups.insert(*g, vec![format!("server-{g}-0")]);
        }
        ShardConfig {
            num,
            shards,
            groups,
        }
    }

    #[test]
    fn a_change_moves_the_shards_whose_group_differs() {
        let a = config(1, [1; N_SHARDS]);
        let mut shards = [1; N_SHARDS];
        shards[0] = 2;
        shards[5] = 2;
        let b = config(2, shards);
        assert_eq!(
            moves(&a, &b),
            [
                Move {
                    shard: 0,
                    from: 1,
                    to: 2
                },
                Move {
                    shard: 5,
                    from: 1,
                    to: 2
                }
            ]
        );
        assert!(moves(&b, &b).is_empty());
    }

    #[test]
    fn only_the_configuration_after_the_current_one_is_posted_and_only_once() {
        let cur = config(3, [1; N_SHARDS]);
        let new = config(4, [2; N_SHARDS]);
        assert_eq!(change(&cur, None, &new), Change::Post { at: 0 });
        // The next configuration stored is the one before: post over it.
        let old_next = config(3, [1; N_SHARDS]);
        assert_eq!(
            change(&cur, Some((&old_next, 7)), &new),
            Change::Post { at: 7 }
        );
        // Another controller's change 4 is posted: this one does nothing.
        let other = config(4, [1; N_SHARDS]);
        assert_eq!(change(&cur, Some((&other, 8)), &new), Change::Taken);
        // A stale or out-of-order configuration.
        assert_eq!(change(&new, None, &new), Change::NotNext);
        assert_eq!(
            change(&config(1, [1; N_SHARDS]), None, &new),
            Change::NotNext
        );
    }

    #[test]
    fn a_change_that_leaves_a_shard_with_no_group_is_refused() {
        let cur = config(3, [1; N_SHARDS]);
        let new = config(4, [0; N_SHARDS]);
        assert_eq!(change(&cur, None, &new), Change::DropsShards);
    }

    #[test]
    fn a_new_controller_finishes_a_posted_change_that_is_not_current() {
        let cur = config(3, [1; N_SHARDS]);
        let next = config(4, [2; N_SHARDS]);
        assert_eq!(unfinished(&cur, Some(&next)), Some(&next));
        assert_eq!(unfinished(&next, Some(&next)), None);
        assert_eq!(unfinished(&cur, None), None);
    }

    #[test]
    fn a_change_is_finished_once_it_or_a_later_one_is_current() {
        let cur = config(4, [1; N_SHARDS]);
        assert!(finished(&cur, 4) && finished(&cur, 3));
        assert!(!finished(&cur, 5));
    }

    #[test]
    fn a_freeze_answer_says_whether_to_install_skip_or_stop() {
        let reply = |err| FreezeShardReply {
            state: vec![1, 2],
            num: 4,
            err,
        };
        assert_eq!(
            after_freeze(reply(KvErr::Ok)),
            AfterFreeze::Install(vec![1, 2])
        );
        assert_eq!(after_freeze(reply(KvErr::ErrNoKey)), AfterFreeze::Moved);
        assert_eq!(
            after_freeze(reply(KvErr::ErrVersion)),
            AfterFreeze::Overtaken
        );
    }
}
