//! The handoff rules as pure functions: machines in, commands applied, machines out.

use super::*;
use lab2_kvsrv::kv_state::Write;

const A: u64 = 100;
const B: u64 = 101;

/// Configuration `num` giving shard `s` to `owners[s]`, with both groups' servers.
fn config(num: u64, owners: [u64; N_SHARDS]) -> Config {
    Config {
        num,
        shards: owners,
        groups: BTreeMap::from([
            (A, vec!["a-0".to_string(), "a-1".to_string()]),
            (B, vec!["b-0".to_string()]),
        ]),
    }
}

/// Every shard on `gid`, except shard 0 on `shard0`.
fn owners(gid: u64, shard0: u64) -> [u64; N_SHARDS] {
    let mut o = [gid; N_SHARDS];
    o[0] = shard0;
    o
}

/// Key "2" is in shard 0 (its first byte, 50, mod 10).
const KEY: &str = "2";

fn append(value: &str, client_id: u64, seq: u64) -> ShardKvCommand {
    ShardKvCommand::Op(KvCommand::Write {
        kind: Write::Append,
        key: KEY.into(),
        value: value.into(),
        client_id,
        seq,
    })
}

fn get() -> ShardKvCommand {
    ShardKvCommand::Op(KvCommand::Get { key: KEY.into() })
}

fn ok() -> Result<String, WrongGroup> {
    Ok(String::new())
}

/// Applies a command that must not be refused.
fn step(m: &mut ShardKvMachine, command: ShardKvCommand) {
    assert_eq!(m.apply(command), ok());
}

/// Group A after configuration 1 (everything on A) and one append to shard 0.
fn a_serving() -> ShardKvMachine {
    let mut a = ShardKvMachine::new(A);
    assert_eq!(
        a.apply(ShardKvCommand::Config(config(1, owners(A, A)))),
        ok()
    );
    assert_eq!(a.apply(append("x", 7, 1)), ok());
    a
}

/// Group B after configurations 1 and 2 (shard 0 moves from A to B in 2).
fn b_pulling() -> ShardKvMachine {
    let mut b = ShardKvMachine::new(B);
    step(&mut b, ShardKvCommand::Config(config(1, owners(A, A))));
    step(&mut b, ShardKvCommand::Config(config(2, owners(A, B))));
    b
}

#[test]
fn operations_are_refused_unless_the_shard_is_served_when_applied() {
    let mut m = ShardKvMachine::new(A);
    assert_eq!(m.apply(get()), Err(WrongGroup), "config 0 serves nothing");
    step(&mut m, ShardKvCommand::Config(config(1, owners(A, A))));
    assert_eq!(m.apply(append("x", 1, 1)), ok());
    assert_eq!(m.apply(get()), Ok("x".to_string()));
    step(&mut m, ShardKvCommand::Config(config(2, owners(A, B))));
    assert_eq!(m.apply(get()), Err(WrongGroup), "shard 0 is B's now");
    assert_eq!(m.apply(append("y", 1, 2)), Err(WrongGroup));
}

#[test]
fn shards_nobody_had_start_empty_and_served() {
    let mut m = ShardKvMachine::new(A);
    step(&mut m, ShardKvCommand::Config(config(1, owners(A, B))));
    assert_eq!(m.status(0), ShardStatus::Absent);
    assert!((1..N_SHARDS).all(|s| m.status(s) == ShardStatus::Serving));
    assert!(m.settled());
    assert!(m.transfers(ShardStatus::Pulling).is_empty());
}

#[test]
fn configurations_are_taken_one_number_at_a_time() {
    let mut m = ShardKvMachine::new(A);
    step(&mut m, ShardKvCommand::Config(config(2, owners(A, A))));
    assert_eq!(m.config().num, 0, "2 is not next after 0");
    step(&mut m, ShardKvCommand::Config(config(1, owners(A, A))));
    step(&mut m, ShardKvCommand::Config(config(1, owners(B, B))));
    assert_eq!(
        m.config(),
        &config(1, owners(A, A)),
        "a repeated number changes nothing"
    );
}

#[test]
fn the_next_configuration_waits_until_every_shard_is_settled() {
    let mut b = b_pulling();
    assert_eq!(b.status(0), ShardStatus::Pulling);
    assert!(!b.settled());
    step(&mut b, ShardKvCommand::Config(config(3, owners(B, B))));
    assert_eq!(b.config().num, 2, "shard 0 has not arrived");

    let mut a = a_serving();
    step(&mut a, ShardKvCommand::Config(config(2, owners(A, B))));
    assert_eq!(a.status(0), ShardStatus::Offering);
    step(&mut a, ShardKvCommand::Config(config(3, owners(B, B))));
    assert_eq!(a.config().num, 2, "shard 0 has not been handed off");
}

#[test]
fn a_shard_moves_with_its_duplicate_table_and_is_deleted_once_delivered() {
    let mut a = a_serving();
    let mut b = b_pulling();
    assert_eq!(
        a.handoff(2, &[0]),
        Err(NotReady),
        "A is not at configuration 2 yet"
    );
    assert_eq!(a.deletion(2, &[0]), Err(NotReady));
    step(&mut a, ShardKvCommand::Config(config(2, owners(A, B))));

    // B pulls: only from A's configuration 2, and only offered shards.
    assert_eq!(
        b.transfers(ShardStatus::Pulling),
        vec![Transfer {
            num: 2,
            gid: A,
            servers: vec!["a-0".into(), "a-1".into()],
            shards: vec![0],
        }]
    );
    assert_eq!(a.handoff(2, &[1]), Err(NotReady), "shard 1 stays with A");
    let copy = a.handoff(2, &[0]).expect("offered");
    assert_eq!(b.apply(get()), Err(WrongGroup), "not arrived yet");
    step(
        &mut b,
        ShardKvCommand::InstallShards {
            num: 2,
            shards: copy,
        },
    );
    assert_eq!(b.status(0), ShardStatus::Collecting);
    assert_eq!(b.apply(get()), Ok("x".to_string()), "served at once");
    assert_eq!(
        b.apply(append("x", 7, 1)),
        ok(),
        "the clerk retries its write at the new owner"
    );
    assert_eq!(b.apply(get()), Ok("x".to_string()), "applied once in all");

    // B asks A to delete; A deletes through its log; B hears back.
    assert_eq!(
        b.transfers(ShardStatus::Collecting)[0].shards,
        vec![0],
        "B asks A"
    );
    assert_eq!(a.deletion(2, &[0, 0, 5]), Ok(Deletion::Needed(vec![0])));
    assert_eq!(b.holds(2, &[0]), Ok(()), "A asks B first: B holds it");
    step(
        &mut a,
        ShardKvCommand::DeleteShards {
            num: 2,
            shards: vec![0],
        },
    );
    assert_eq!(a.status(0), ShardStatus::Absent);
    assert_eq!(a.shards[0].kv, KvMachine::new(), "its data is gone");
    assert_eq!(a.deletion(2, &[0]), Ok(Deletion::Done));
    step(
        &mut b,
        ShardKvCommand::ShardsCollected {
            num: 2,
            shards: vec![0],
        },
    );
    assert_eq!(b.status(0), ShardStatus::Serving);
    assert!(a.settled() && b.settled());

    // Both may move on; past configuration 2, A's deletion is known done.
    step(&mut a, ShardKvCommand::Config(config(3, owners(A, B))));
    assert_eq!(a.config().num, 3);
    assert_eq!(a.deletion(2, &[0]), Ok(Deletion::Done));
}

#[test]
fn stale_and_repeated_handoff_commands_change_nothing() {
    let mut b = b_pulling();
    let before = b.clone();
    let shards = BTreeMap::from([(0, KvMachine::new())]);
    step(&mut b, ShardKvCommand::InstallShards { num: 1, shards });
    step(
        &mut b,
        ShardKvCommand::ShardsCollected {
            num: 2,
            shards: vec![0],
        },
    );
    step(
        &mut b,
        ShardKvCommand::DeleteShards {
            num: 2,
            shards: vec![0, 99],
        },
    );
    assert_eq!(b, before, "wrong configuration or wrong status");

    let mut a = a_serving();
    step(&mut a, ShardKvCommand::Config(config(2, owners(A, B))));
    let copy = a.handoff(2, &[0]).expect("offered");
    step(
        &mut b,
        ShardKvCommand::InstallShards {
            num: 2,
            shards: copy.clone(),
        },
    );
    step(&mut b, append("y", 7, 2));
    step(
        &mut b,
        ShardKvCommand::InstallShards {
            num: 2,
            shards: copy,
        },
    );
    assert_eq!(
        b.apply(get()),
        Ok("xy".to_string()),
        "a second install of the same pull does not roll the shard back"
    );
}

#[test]
fn bad_shard_numbers_from_other_groups_are_refused_not_a_panic() {
    let mut a = a_serving();
    step(&mut a, ShardKvCommand::Config(config(2, owners(A, B))));
    assert_eq!(a.handoff(2, &[N_SHARDS]), Err(NotReady));
    assert_eq!(a.deletion(2, &[usize::MAX]), Ok(Deletion::Done));
    let shards = BTreeMap::from([(N_SHARDS, KvMachine::new())]);
    let before = a.clone();
    step(&mut a, ShardKvCommand::InstallShards { num: 2, shards });
    assert_eq!(a, before);
}

#[test]
fn a_snapshot_keeps_shard_states_and_both_configurations() {
    let mut a = a_serving();
    step(&mut a, ShardKvCommand::Config(config(2, owners(A, B))));
    let bytes = common::codec::encode(&a).expect("encodes");
    let back: ShardKvMachine = common::codec::decode(&bytes).expect("decodes");
    assert_eq!(back, a);
    assert_eq!(back.status(0), ShardStatus::Offering);
    assert_eq!(back.handoff(2, &[0]), a.handoff(2, &[0]));
}
