//! The controller's decisions, as pure functions of what it read: which shards a change
//! moves, whether this controller may make a change, whether a new leader must finish one
//! its predecessor left, and what a `FreezeShard` answer means for the move.
//!
//! The controllers keep one value in the KV server, [`Stored`]: the *current*
//! configuration, which clerks use, the *next* one, posted before any shard moves, and
//! the controller that leads. Every change of it is a versioned Put of the whole value,
//! so each is made against what its controller read, or not at all:
//! - a new controller takes the lead (`InitController`): from then on an older one posts
//!   nothing, and one cut off that comes back stops at its next change;
//! - only the leader posts a next configuration, and only one at a time: of several calls
//!   making change `n`, the first Put wins and the others return (Part C);
//! - a new leader that finds the next configuration ahead of the current one finishes
//!   that change first (Part B). Making or finishing a change is the same idempotent walk
//!   over its moves.

use crate::shardcfg::{N_SHARDS, ShardConfig, Tgid, Tnum, Tshid};
use crate::shardgrp::rpc::FreezeShardReply;
use common::kvtest::rpc::KvErr;
use serde::{Deserialize, Serialize};

/// What the controllers keep in the KV server, as JSON under one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// The controller that leads: the last to call `InitController` (or `InitConfig`).
    pub leader: String,
    /// The configuration clerks use.
    pub current: ShardConfig,
    /// The configuration being moved to; the current one when no change is under way.
    pub next: ShardConfig,
}

impl Stored {
    /// The first configuration, `leader` leading (`InitConfig`).
    pub fn first(leader: &str, cfg: &ShardConfig) -> Stored {
        Stored {
            leader: leader.to_string(),
            current: cfg.clone(),
            next: cfg.clone(),
        }
    }

    /// The same, `leader` leading (`InitController`).
    pub fn led_by(&self, leader: &str) -> Stored {
        Stored {
            leader: leader.to_string(),
            ..self.clone()
        }
    }

    /// The change to `next` posted.
    pub fn posting(&self, next: &ShardConfig) -> Stored {
        Stored {
            next: next.clone(),
            ..self.clone()
        }
    }

    /// The next configuration made current.
    pub fn made_current(&self) -> Stored {
        Stored {
            current: self.next.clone(),
            ..self.clone()
        }
    }

    /// The posted change not finished yet, if there is one: a new leader finishes it
    /// first.
    pub fn unfinished(&self) -> Option<&ShardConfig> {
        (self.next.num > self.current.num).then_some(&self.next)
    }
}

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

/// What `ChangeConfigTo(new)` does, given what controller `me` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Post `new` as the next configuration, with a Put at the version read; the change
    /// is this controller's if the Put succeeds.
    Post,
    /// A newer controller leads: this one changes nothing.
    Deposed,
    /// A change is under way: one with this number, posted first by another call, or an
    /// earlier one not finished.
    Taken,
    /// `new` does not follow the current configuration.
    NotNext,
    /// `new` leaves a shard with no group, and its data with nowhere to go.
    DropsShards,
}

/// See [`Change`].
pub fn change(stored: &Stored, me: &str, new: &ShardConfig) -> Change {
    if stored.leader != me {
        Change::Deposed
    } else if stored.unfinished().is_some() {
        Change::Taken
    } else if stored.current.num.checked_add(1) != Some(new.num) {
        Change::NotNext
    } else if moves(&stored.current, new).iter().any(|m| m.to == 0) {
        Change::DropsShards
    } else {
        Change::Post
    }
}

/// Whether change `num` is done: the current configuration is it, or a later one. A
/// controller still moving its shards then stops: the groups it waits for may have left
/// and been shut down for good once the change was finished.
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
        let moved: Vec<(Tshid, Tgid, Tgid)> = moves(&a, &b)
            .iter()
            .map(|m| (m.shard, m.from, m.to))
            .collect();
        assert_eq!(moved, [(0, 1, 2), (5, 1, 2)]);
        assert!(moves(&b, &b).is_empty());
    }

    #[test]
    fn only_the_leader_posts_and_only_the_configuration_after_the_current_one() {
        let new = config(4, [2; N_SHARDS]);
        let stored = Stored::first("a", &config(3, [1; N_SHARDS]));
        assert_eq!(change(&stored, "a", &new), Change::Post);
        assert_eq!(change(&stored.led_by("b"), "a", &new), Change::Deposed);
        // Another call posted its change 4 first.
        let other = config(4, [1; N_SHARDS]);
        assert_eq!(change(&stored.posting(&other), "a", &new), Change::Taken);
        // Once that is finished, `new` no longer follows the current configuration.
        let done = stored.posting(&other).made_current();
        assert_eq!(change(&done, "a", &new), Change::NotNext);
        let old = Stored::first("a", &config(1, [1; N_SHARDS]));
        assert_eq!(change(&old, "a", &new), Change::NotNext);
    }

    #[test]
    fn a_stored_number_at_its_largest_is_refused_not_overflowed() {
        let stored = Stored::first("a", &config(u64::MAX, [1; N_SHARDS]));
        let same = config(u64::MAX, [2; N_SHARDS]);
        assert_eq!(change(&stored, "a", &same), Change::NotNext);
        assert_eq!(
            change(&stored, "a", &config(0, [2; N_SHARDS])),
            Change::NotNext
        );
    }

    #[test]
    fn a_change_that_leaves_a_shard_with_no_group_is_refused() {
        let stored = Stored::first("a", &config(3, [1; N_SHARDS]));
        let empty = config(4, [0; N_SHARDS]);
        assert_eq!(change(&stored, "a", &empty), Change::DropsShards);
    }

    #[test]
    fn a_new_leader_finishes_a_posted_change_that_is_not_current() {
        let next = config(4, [2; N_SHARDS]);
        let stored = Stored::first("a", &config(3, [1; N_SHARDS])).posting(&next);
        assert_eq!(stored.led_by("b").unfinished(), Some(&next));
        assert_eq!(stored.made_current().unfinished(), None);
        assert_eq!(stored.made_current().current, next);
    }

    #[test]
    fn the_stored_value_round_trips_through_json() {
        let stored =
            Stored::first("a", &config(3, [1; N_SHARDS])).posting(&config(4, [2; N_SHARDS]));
        let json = serde_json::to_string(&stored).unwrap();
        assert_eq!(serde_json::from_str::<Stored>(&json).unwrap(), stored);
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
