//! [`CtrlerMachine`]: the controller's configurations as a state machine for the Raft
//! log. Pure.
//!
//! Every Join, Leave and Move appends one configuration (the latest, changed, numbered one
//! higher); a Query reads one. Writes carry their clerk's id and number and go through the
//! shared [`DuplicateTable`], so a retried Join is not applied twice (the course's tests
//! do not catch that, but shardkv later runs the controller on an unreliable network).

use crate::config::{Config, N_SHARDS};
use crate::ctrler::rebalance::rebalance;
use lab2_kvsrv::dedup::{DuplicateTable, Seen};
use lab4_kvraft::rsm::StateMachine;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A change to the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// New groups (gid → server names) join; shards are rebalanced.
    Join(BTreeMap<u64, Vec<String>>),
    /// Groups leave; their shards are rebalanced over the others.
    Leave(Vec<u64>),
    /// One shard goes to one group, without rebalancing (for tests and operators).
    Move {
        /// The shard.
        shard: usize,
        /// The group it goes to.
        gid: u64,
    },
}

/// A controller command, as an entry of the Raft log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CtrlerCommand {
    /// Read configuration `num` (-1 or beyond the latest: the latest).
    Query {
        /// The number wanted.
        num: i64,
    },
    /// Change `seq` of clerk `client_id`, applied once.
    Change {
        /// What changes.
        change: Change,
        /// The clerk.
        client_id: u64,
        /// The clerk's write number.
        seq: u64,
    },
}

/// Every configuration so far, and the duplicate table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtrlerMachine {
    /// `configs[i]` has number `i`; `configs[0]` is the empty configuration.
    configs: Vec<Config>,
    duplicates: DuplicateTable<()>,
}

impl Default for CtrlerMachine {
    fn default() -> Self {
        CtrlerMachine {
            configs: vec![Config::default()],
            duplicates: DuplicateTable::new(),
        }
    }
}

impl CtrlerMachine {
    /// Only configuration 0.
    pub fn new() -> CtrlerMachine {
        CtrlerMachine::default()
    }

    /// The latest configuration.
    pub fn latest(&self) -> &Config {
        self.configs.last().expect("configuration 0 always exists")
    }

    /// Configuration `num`, or the latest if `num` is negative or beyond it.
    pub fn query(&self, num: i64) -> &Config {
        usize::try_from(num)
            .ok()
            .and_then(|n| self.configs.get(n))
            .unwrap_or_else(|| self.latest())
    }

    /// Appends the configuration `change` makes of the latest one. A Move of a shard that
    /// does not exist changes nothing.
    fn change(&mut self, change: Change) {
        let mut next = self.latest().clone();
        next.num += 1;
        match change {
            Change::Join(groups) => {
                next.groups.extend(groups);
                let gids: BTreeSet<u64> = next.groups.keys().copied().collect();
                rebalance(&mut next.shards, &gids);
            }
            Change::Leave(gids) => {
                for gid in &gids {
                    next.groups.remove(gid);
                }
                let gids: BTreeSet<u64> = next.groups.keys().copied().collect();
                rebalance(&mut next.shards, &gids);
            }
            Change::Move { shard, gid } => {
                if shard >= N_SHARDS {
                    tracing::warn!(shard, gid, "move of a shard that does not exist; ignored");
                    return;
                }
                next.shards[shard] = gid;
            }
        }
        tracing::debug!(num = next.num, shards = ?next.shards, "controller: new configuration");
        self.configs.push(next);
    }
}

impl StateMachine for CtrlerMachine {
    type Command = CtrlerCommand;
    /// The configuration queried; the latest one after a change.
    type Output = Config;

    fn apply(&mut self, command: CtrlerCommand) -> Config {
        match command {
            CtrlerCommand::Query { num } => self.query(num).clone(),
            CtrlerCommand::Change {
                change,
                client_id,
                seq,
            } => {
                if self.duplicates.seen(client_id, seq) == Seen::New {
                    self.change(change);
                    self.duplicates.record(client_id, seq, ());
                }
                self.latest().clone()
            }
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        lab4_kvraft::rsm::encode_machine(self)
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), common::codec::CodecError> {
        lab4_kvraft::rsm::decode_machine(self, snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(m: &mut CtrlerMachine, change: Change, client_id: u64, seq: u64) -> Config {
        m.apply(CtrlerCommand::Change {
            change,
            client_id,
            seq,
        })
    }

    fn join(gid: u64) -> Change {
        Change::Join(BTreeMap::from([(gid, vec![format!("server-{gid}")])]))
    }

    #[test]
    fn each_change_makes_the_next_numbered_configuration() {
        let mut m = CtrlerMachine::new();
        assert_eq!(change(&mut m, join(1), 1, 1).shards, [1; N_SHARDS]);
        let c2 = change(&mut m, join(2), 1, 2);
        assert_eq!(c2.num, 2);
        assert_eq!(c2.shards.iter().filter(|&&g| g == 2).count(), 5);
        let c3 = change(&mut m, Change::Move { shard: 0, gid: 2 }, 1, 3);
        assert_eq!((c3.num, c3.shards[0]), (3, 2));
        let c4 = change(&mut m, Change::Leave(vec![1]), 1, 4);
        assert_eq!(c4.shards, [2; N_SHARDS]);
        assert!(!c4.groups.contains_key(&1));
    }

    #[test]
    fn a_query_reads_any_configuration_and_negative_means_latest() {
        let mut m = CtrlerMachine::new();
        change(&mut m, join(1), 1, 1);
        change(&mut m, join(2), 1, 2);
        let q = |m: &mut CtrlerMachine, num| m.apply(CtrlerCommand::Query { num }).num;
        assert_eq!(
            [q(&mut m, 0), q(&mut m, 1), q(&mut m, -1), q(&mut m, 99)],
            [0, 1, 2, 2]
        );
    }

    #[test]
    fn a_retried_change_applies_once() {
        let mut m = CtrlerMachine::new();
        change(&mut m, join(1), 7, 1);
        change(&mut m, join(1), 7, 1);
        assert_eq!(m.latest().num, 1);
    }

    #[test]
    fn a_move_of_a_shard_that_does_not_exist_changes_nothing() {
        let mut m = CtrlerMachine::new();
        change(&mut m, join(1), 1, 1);
        change(
            &mut m,
            Change::Move {
                shard: N_SHARDS,
                gid: 1,
            },
            1,
            2,
        );
        assert_eq!(m.latest().num, 1);
    }
}
