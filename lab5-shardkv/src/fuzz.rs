//! The fuzz harness (issue 25): the shard controller's and the shardkv groups' log
//! entries, and the requests between groups, decoded from random and mutated bytes
//! (`common::fuzz`) and applied or answered. Nothing may panic, whatever decodes: a shard
//! number past the last, a configuration out of order, a gid of 0. A `cargo test` here;
//! the same entry points are `cargo fuzz` targets in `scripts/fuzz` (feature `fuzzing`).

use crate::ctrler::machine::{CtrlerCommand, CtrlerMachine};
use crate::shardkv::machine::{ShardKvCommand, ShardKvMachine};
use crate::shardkv::migration::ShardsArgs;
use common::codec;
use lab4_kvraft::rsm::StateMachine;

/// `bytes` as a controller log entry, applied to `machine` when it decodes.
pub fn apply_controller_entry(machine: &mut CtrlerMachine, bytes: &[u8]) {
    if let Ok(command) = codec::decode::<CtrlerCommand>(bytes) {
        let _ = machine.apply(command);
    }
}

/// `bytes` as a group's log entry, applied to `machine` when it decodes.
pub fn apply_group_entry(machine: &mut ShardKvMachine, bytes: &[u8]) {
    if let Ok(command) = codec::decode::<ShardKvCommand>(bytes) {
        let _ = machine.apply(command);
    }
}

/// `bytes` as a request from another group (shards to hand off, to delete, or held),
/// answered from `machine` when it decodes.
pub fn answer_group_request(machine: &ShardKvMachine, bytes: &[u8]) {
    if let Ok(args) = codec::decode::<ShardsArgs>(bytes) {
        let _ = machine.handoff(args.num, &args.shards);
        let _ = machine.deletion(args.num, &args.shards);
        let _ = machine.holds(args.num, &args.shards);
    }
}

/// A `cargo fuzz` input: its chunks ([`common::fuzz::chunks`]) applied in order as
/// controller entries to a controller, and as group entries and requests to a group
/// (gid 100 or 101, as the first byte says).
pub fn fuzz_input(data: &[u8]) {
    let mut controller = CtrlerMachine::new();
    let mut group = ShardKvMachine::new(100 + u64::from(data.first().copied().unwrap_or(0) & 1));
    for chunk in common::fuzz::chunks(data) {
        apply_controller_entry(&mut controller, chunk);
        apply_group_entry(&mut group, chunk);
        answer_group_request(&group, chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, N_SHARDS};
    use crate::ctrler::machine::Change;
    use lab2_kvsrv::kv_state::Write;
    use lab4_kvraft::machine::{KvCommand, KvMachine};
    use std::collections::BTreeMap;

    fn encoded<T: serde::Serialize>(values: &[T]) -> Vec<Vec<u8>> {
        values
            .iter()
            .map(|v| codec::encode(v).expect("encodes"))
            .collect()
    }

    #[test]
    fn controller_entries_survive_random_and_mutated_bytes() {
        let join = |gid: u64| Change::Join(BTreeMap::from([(gid, vec![format!("s-{gid}")])]));
        let change = |change, seq| CtrlerCommand::Change {
            change,
            client_id: 1,
            seq,
        };
        let valid = encoded(&[
            change(join(1), 1),
            change(join(2), 2),
            change(Change::Leave(vec![1]), 3),
            change(Change::Move { shard: 3, gid: 2 }, 4),
            CtrlerCommand::Query { num: -1 },
        ]);
        let mut machine = CtrlerMachine::new();
        for bytes in common::fuzz::inputs(51, &valid, 20_000) {
            apply_controller_entry(&mut machine, &bytes);
        }
    }

    #[test]
    fn group_entries_and_requests_survive_random_and_mutated_bytes() {
        let (a, b) = (100, 101);
        let groups = BTreeMap::from([(a, vec!["a-0".to_string()]), (b, vec!["b-0".to_string()])]);
        let config = |num, owners: [u64; N_SHARDS]| Config {
            num,
            shards: owners,
            groups: groups.clone(),
        };
        let mut data = KvMachine::new();
        let put = KvCommand::Write {
            kind: Write::Put,
            key: "k".into(),
            value: "v".into(),
            client_id: 1,
            seq: 1,
        };
        let _ = data.apply(put.clone());
        let valid = encoded(&[
            ShardKvCommand::Config(config(1, [a; N_SHARDS])),
            ShardKvCommand::Config(config(2, [b, b, b, b, b, a, a, a, a, a])),
            ShardKvCommand::InstallShards {
                num: 2,
                shards: BTreeMap::from([(0, data)]),
            },
            ShardKvCommand::DeleteShards {
                num: 2,
                shards: vec![0, 1],
            },
            ShardKvCommand::ShardsCollected {
                num: 2,
                shards: vec![0],
            },
            ShardKvCommand::Op(put),
        ]);
        let requests = encoded(&[ShardsArgs {
            num: 2,
            shards: vec![0, 9],
        }]);
        for gid in [a, b] {
            let mut machine = ShardKvMachine::new(gid);
            for bytes in common::fuzz::inputs(gid, &valid, 20_000) {
                apply_group_entry(&mut machine, &bytes);
            }
            for bytes in common::fuzz::inputs(gid + 1, &requests, 5_000) {
                answer_group_request(&machine, &bytes);
            }
        }
        for bytes in common::fuzz::inputs(52, &valid, 1_000) {
            fuzz_input(&bytes);
        }
    }
}
