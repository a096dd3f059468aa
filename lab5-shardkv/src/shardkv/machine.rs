//! [`ShardKvMachine`]: one replica group's state machine for its Raft log. Pure.
//!
//! It is Lab 4's key/value machine (data and duplicate table), plus the group's current
//! configuration. Client operations are applied only for keys whose shard the group
//! serves in that configuration, checked when the operation is applied (its place in the
//! log), not when it arrived: a configuration change committed in between must win. New
//! configurations come through the log too, one number at a time, so every replica of
//! the group switches at the same point of the log.

use crate::config::{Config, key_to_shard};
use lab4_kvraft::machine::{KvCommand, KvMachine};
use lab4_kvraft::rsm::StateMachine;
use serde::{Deserialize, Serialize};

/// An entry of a group's Raft log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardKvCommand {
    /// A client's Get, Put or Append.
    Op(KvCommand),
    /// Move to this configuration (applied only if it is the next one).
    Config(Config),
}

/// Why a client operation was not applied: the key's shard is not this group's in its
/// current configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrongGroup;

/// A group's key/value state and configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardKvMachine {
    gid: u64,
    config: Config,
    kv: KvMachine,
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

    /// Whether the group serves `key` now.
    pub fn serves(&self, key: &str) -> bool {
        self.config.shards[key_to_shard(key)] == self.gid
    }
}

impl StateMachine for ShardKvMachine {
    type Command = ShardKvCommand;
    /// For an operation: the value read (`""` for a write), or [`WrongGroup`]. For a
    /// configuration: `Ok("")`.
    type Output = Result<String, WrongGroup>;

    fn apply(&mut self, command: ShardKvCommand) -> Result<String, WrongGroup> {
        match command {
            ShardKvCommand::Op(op) => {
                if !self.serves(op.key()) {
                    return Err(WrongGroup);
                }
                Ok(self.kv.apply(op))
            }
            ShardKvCommand::Config(config) => {
                if config.num == self.config.num + 1 {
                    tracing::debug!(gid = self.gid, num = config.num, "new configuration");
                    self.config = config;
                }
                Ok(String::new())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::N_SHARDS;
    use common::kv_state::Write;

    fn config(num: u64, gid: u64) -> Config {
        Config {
            num,
            shards: [gid; N_SHARDS],
            ..Config::default()
        }
    }

    fn put(key: &str) -> ShardKvCommand {
        ShardKvCommand::Op(KvCommand::Write {
            kind: Write::Put,
            key: key.into(),
            value: "v".into(),
            client_id: 1,
            seq: 1,
        })
    }

    #[test]
    fn operations_on_shards_of_other_groups_are_refused_when_applied() {
        let mut m = ShardKvMachine::new(100);
        assert_eq!(
            m.apply(put("a")),
            Err(WrongGroup),
            "config 0 serves nothing"
        );
        assert_eq!(
            m.apply(ShardKvCommand::Config(config(1, 100))),
            Ok(String::new())
        );
        assert_eq!(m.apply(put("a")), Ok(String::new()));
        assert_eq!(
            m.apply(ShardKvCommand::Config(config(2, 101))),
            Ok(String::new())
        );
        let get = ShardKvCommand::Op(KvCommand::Get { key: "a".into() });
        assert_eq!(m.apply(get), Err(WrongGroup));
    }

    #[test]
    fn configurations_are_taken_one_number_at_a_time() {
        let mut m = ShardKvMachine::new(100);
        assert_eq!(
            m.apply(ShardKvCommand::Config(config(2, 100))),
            Ok(String::new())
        );
        assert_eq!(m.config().num, 0, "2 is not next after 0");
        assert_eq!(
            m.apply(ShardKvCommand::Config(config(1, 100))),
            Ok(String::new())
        );
        assert_eq!(
            m.apply(ShardKvCommand::Config(config(1, 101))),
            Ok(String::new())
        );
        assert_eq!(
            m.config(),
            &config(1, 100),
            "a repeated number changes nothing"
        );
    }
}
