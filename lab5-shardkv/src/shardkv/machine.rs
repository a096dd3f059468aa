//! [`ShardKvMachine`]: one replica group's state machine for its Raft log. Pure.
//!
//! It holds the group's current configuration and the one before it, and each shard's
//! [`Shard`] (status and key/value state; see [`crate::shardkv::shard`] for the handoff).
//! Everything that changes it comes through the log, so every replica of the group
//! changes at the same point of the history:
//!
//! - a client operation, applied only if the key's shard is served here at that point of
//!   the log (not when it arrived: a configuration change committed in between wins);
//! - the next configuration, taken only when it is the next number and every shard of
//!   the current one is settled;
//! - shards pulled from their previous owner, the deletion of shards the new owner has,
//!   and the previous owner's confirmation that it deleted them.
//!
//! The driver ([`crate::shardkv::server`]) asks it what to do next
//! ([`ShardKvMachine::transfers`]) and what to answer other groups
//! ([`ShardKvMachine::handoff`], [`ShardKvMachine::deletion`]).
//!
//! A shard that the controller leaves unassigned (gid 0, which happens only when every
//! group has left) keeps its data in its last group as `Offering`; the course's tests
//! never remove every group, and this machine does not recover such a shard.

use crate::config::{Config, N_SHARDS, key_to_shard};
use crate::shardkv::shard::{Shard, ShardStatus};
use lab4_kvraft::machine::{KvCommand, KvMachine};
use lab4_kvraft::rsm::StateMachine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An entry of a group's Raft log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardKvCommand {
    /// A client's Get, Put or Append.
    Op(KvCommand),
    /// Move to this configuration (taken only if it is the next one and every shard is
    /// settled).
    Config(Config),
    /// Shards pulled from their previous owner for configuration `num`.
    InstallShards {
        /// The configuration the shards were pulled for.
        num: u64,
        /// The shards' key/value states.
        shards: BTreeMap<usize, KvMachine>,
    },
    /// The new owners of these shards have them: drop the copies offered in
    /// configuration `num`.
    DeleteShards {
        /// The configuration the shards were given up in.
        num: u64,
        /// The shards.
        shards: Vec<usize>,
    },
    /// The previous owner of these shards, pulled in configuration `num`, deleted its
    /// copies: their handoff is over.
    ShardsCollected {
        /// The configuration the shards were pulled in.
        num: u64,
        /// The shards.
        shards: Vec<usize>,
    },
}

/// Why a client operation was not applied: the key's shard is not served by this group
/// at that point of its history (not its shard, or not arrived yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrongGroup;

/// Why another group's request cannot be answered yet: this group is not at the
/// configuration it asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotReady;

/// What to do about a request to delete shards (see [`ShardKvMachine::deletion`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    /// Already deleted.
    Done,
    /// These shards of the request are still offered: once their new owners confirm
    /// they hold them, put [`ShardKvCommand::DeleteShards`] through the log.
    Needed(Vec<usize>),
}

/// Shards of one configuration that move between this group and another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The configuration they move in.
    pub num: u64,
    /// The other group: the previous owner of the shards.
    pub gid: u64,
    /// Its servers.
    pub servers: Vec<String>,
    /// The shards.
    pub shards: Vec<usize>,
}

/// A group's configuration and shards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardKvMachine {
    gid: u64,
    config: Config,
    /// The configuration before `config`: who owned each shard, to pull it from.
    previous: Config,
    shards: [Shard; N_SHARDS],
}

impl ShardKvMachine {
    /// The empty state of group `gid`, in configuration 0 (serving nothing).
    pub fn new(gid: u64) -> ShardKvMachine {
        ShardKvMachine {
            gid,
            ..ShardKvMachine::default()
        }
    }

    /// The group's current configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where shard `shard` is for this group.
    pub fn status(&self, shard: usize) -> ShardStatus {
        self.shards[shard].status
    }

    /// Whether every shard is settled, so the next configuration can be taken.
    pub fn settled(&self) -> bool {
        self.shards.iter().all(|s| s.status.settled())
    }

    /// The shards in `status`, grouped by their owner in the previous configuration, with
    /// that group's servers: `Pulling` gives the pulls to make, `Collecting` the deletions
    /// to ask for.
    pub fn transfers(&self, status: ShardStatus) -> Vec<Transfer> {
        let mut by_gid: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (shard, s) in self.shards.iter().enumerate() {
            if s.status == status {
                by_gid
                    .entry(self.previous.shards[shard])
                    .or_default()
                    .push(shard);
            }
        }
        by_gid
            .into_iter()
            .map(|(gid, shards)| Transfer {
                num: self.config.num,
                gid,
                servers: self.previous.groups.get(&gid).cloned().unwrap_or_default(),
                shards,
            })
            .collect()
    }

    /// Copies of `shards`, offered by this group in configuration `num`, for their new
    /// owner. Any replica may answer: an offered shard is frozen, so every replica that
    /// applied configuration `num` holds the same copy.
    ///
    /// # Errors
    /// [`NotReady`] if this group is not at configuration `num`, or does not offer one
    /// of the shards (then the asker's request is stale: its log already has them).
    pub fn handoff(
        &self,
        num: u64,
        shards: &[usize],
    ) -> Result<BTreeMap<usize, KvMachine>, NotReady> {
        if self.config.num != num {
            return Err(NotReady);
        }
        shards
            .iter()
            .map(|&shard| match self.shards.get(shard) {
                Some(s) if s.status == ShardStatus::Offering => Ok((shard, s.kv.clone())),
                _ => Err(NotReady),
            })
            .collect()
    }

    /// Whether `shards`, given up in configuration `num`, are deleted here. Past `num`
    /// they are (the group could not have moved on otherwise); at `num`, they are unless
    /// still offered, and those still offered are named.
    ///
    /// # Errors
    /// [`NotReady`] if this group has not reached configuration `num` yet.
    pub fn deletion(&self, num: u64, shards: &[usize]) -> Result<Deletion, NotReady> {
        if self.config.num < num {
            return Err(NotReady);
        }
        let mut offered: Vec<usize> = shards
            .iter()
            .copied()
            .filter(|&shard| {
                self.shards
                    .get(shard)
                    .is_some_and(|s| s.status == ShardStatus::Offering)
            })
            .collect();
        offered.sort_unstable();
        offered.dedup();
        if self.config.num == num && !offered.is_empty() {
            Ok(Deletion::Needed(offered))
        } else {
            Ok(Deletion::Done)
        }
    }

    /// Whether this group has installed `shards`, which are its own in configuration
    /// `num`: it is past `num` (it could not have moved on otherwise), or at `num` with
    /// every one of them its own and served. The previous owner asks this before it
    /// deletes its copies, so a deletion request from anyone else cannot destroy a shard
    /// its new owner has not pulled.
    ///
    /// # Errors
    /// [`NotReady`] if it has not installed them (yet).
    pub fn holds(&self, num: u64, shards: &[usize]) -> Result<(), NotReady> {
        let installed = |&shard: &usize| {
            self.config.shards.get(shard) == Some(&self.gid)
                && self.shards.get(shard).is_some_and(|s| s.status.serves())
        };
        if self.config.num > num || (self.config.num == num && shards.iter().all(installed)) {
            Ok(())
        } else {
            Err(NotReady)
        }
    }

    /// Takes `next` if it is the next configuration and every shard is settled.
    fn reconfigure(&mut self, next: Config) {
        if next.num != self.config.num + 1 || !self.settled() {
            return;
        }
        for (shard, s) in self.shards.iter_mut().enumerate() {
            let had = s.status == ShardStatus::Serving;
            let gets = next.shards[shard] == self.gid;
            s.status = match (had, gets) {
                (true, true) => ShardStatus::Serving,
                (true, false) => ShardStatus::Offering,
                // Nobody had it: it starts empty, here.
                (false, true) if self.config.shards[shard] == 0 => ShardStatus::Serving,
                (false, true) => ShardStatus::Pulling,
                (false, false) => ShardStatus::Absent,
            };
        }
        tracing::debug!(gid = self.gid, num = next.num, shards = ?next.shards, "new configuration");
        self.previous = std::mem::replace(&mut self.config, next);
    }

    /// Sets the shards of configuration `num` that are in status `from` to `to`, with
    /// `update` applied to each.
    fn move_shards(
        &mut self,
        num: u64,
        shards: impl IntoIterator<Item = usize>,
        from: ShardStatus,
        to: ShardStatus,
        mut update: impl FnMut(usize, &mut Shard),
    ) {
        if num != self.config.num {
            return;
        }
        for shard in shards {
            if let Some(s) = self.shards.get_mut(shard)
                && s.status == from
            {
                s.status = to;
                update(shard, s);
                tracing::debug!(gid = self.gid, num, shard, status = ?to, "shard moved on");
            }
        }
    }
}

impl StateMachine for ShardKvMachine {
    type Command = ShardKvCommand;
    /// For an operation: the value read (`""` for a write), or [`WrongGroup`]. For the
    /// other commands: `Ok("")`.
    type Output = Result<String, WrongGroup>;

    fn apply(&mut self, command: ShardKvCommand) -> Result<String, WrongGroup> {
        match command {
            ShardKvCommand::Op(op) => {
                let shard = &mut self.shards[key_to_shard(op.key())];
                if !shard.status.serves() {
                    return Err(WrongGroup);
                }
                return Ok(shard.kv.apply(op));
            }
            ShardKvCommand::Config(next) => self.reconfigure(next),
            ShardKvCommand::InstallShards { num, mut shards } => {
                let ids: Vec<usize> = shards.keys().copied().collect();
                self.move_shards(
                    num,
                    ids,
                    ShardStatus::Pulling,
                    ShardStatus::Collecting,
                    |shard, s| s.kv = shards.remove(&shard).unwrap_or_default(),
                );
            }
            ShardKvCommand::DeleteShards { num, shards } => self.move_shards(
                num,
                shards,
                ShardStatus::Offering,
                ShardStatus::Absent,
                |_, s| s.kv = KvMachine::new(),
            ),
            ShardKvCommand::ShardsCollected { num, shards } => self.move_shards(
                num,
                shards,
                ShardStatus::Collecting,
                ShardStatus::Serving,
                |_, _| {},
            ),
        }
        Ok(String::new())
    }

    fn snapshot(&self) -> Vec<u8> {
        lab4_kvraft::rsm::encode_machine(self)
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), common::codec::CodecError> {
        lab4_kvraft::rsm::decode_machine(self, snapshot)
    }
}

#[cfg(test)]
mod tests;
