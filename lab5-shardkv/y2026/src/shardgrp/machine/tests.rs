//! Every fencing rule of a shard group, on the machine alone.

use super::*;

/// A key of shard `shard`.
fn key_of(shard: Tshid) -> String {
    (0..)
        .map(|i| format!("k{i}"))
        .find(|k| key2shard(k) == shard)
        .expect("some key")
}

fn put(m: &mut ShardGrpMachine, key: &str, value: &str, version: u64) -> KvErr {
    match m.apply(Op::Put(PutArgs {
        key: key.into(),
        value: value.into(),
        version,
    })) {
        Rep::Put(r) => r.err,
        other => panic!("{other:?}"),
    }
}

fn get(m: &mut ShardGrpMachine, key: &str) -> GetReply {
    match m.apply(Op::Get(GetArgs { key: key.into() })) {
        Rep::Get(r) => r,
        other => panic!("{other:?}"),
    }
}

fn freeze(m: &mut ShardGrpMachine, shard: Tshid, num: Tnum) -> FreezeShardReply {
    match m.apply(Op::Freeze(FreezeShardArgs { shard, num })) {
        Rep::Freeze(r) => r,
        other => panic!("{other:?}"),
    }
}

fn install(m: &mut ShardGrpMachine, shard: Tshid, state: Vec<u8>, num: Tnum) -> KvErr {
    match m.apply(Op::Install(InstallShardArgs { shard, state, num })) {
        Rep::Shard(r) => r.err,
        other => panic!("{other:?}"),
    }
}

fn delete(m: &mut ShardGrpMachine, shard: Tshid, num: Tnum) -> KvErr {
    match m.apply(Op::Delete(DeleteShardArgs { shard, num })) {
        Rep::Shard(r) => r.err,
        other => panic!("{other:?}"),
    }
}

/// Moves `shard` from `src` to `dst` under `num`, as a controller does.
fn make_move(src: &mut ShardGrpMachine, dst: &mut ShardGrpMachine, shard: Tshid, num: Tnum) {
    let frozen = freeze(src, shard, num);
    assert_eq!(frozen.err, KvErr::Ok);
    assert_eq!(install(dst, shard, frozen.state, num), KvErr::Ok);
    assert_eq!(delete(src, shard, num), KvErr::Ok);
}

#[test]
fn group_1_starts_with_every_shard_and_the_others_with_none() {
    let (mut g1, mut g2) = (ShardGrpMachine::new(GID1), ShardGrpMachine::new(2));
    for shard in 0..N_SHARDS {
        let k = key_of(shard);
        assert_eq!(put(&mut g1, &k, "v", 0), KvErr::Ok);
        assert_eq!(put(&mut g2, &k, "v", 0), KvErr::ErrWrongGroup);
        assert_eq!(get(&mut g2, &k).err, KvErr::ErrWrongGroup);
    }
}

#[test]
fn a_moved_shard_keeps_its_values_and_versions_and_leaves_its_source() {
    let (mut g1, mut g2) = (ShardGrpMachine::new(GID1), ShardGrpMachine::new(2));
    let k = key_of(3);
    assert_eq!(put(&mut g1, &k, "a", 0), KvErr::Ok);
    assert_eq!(put(&mut g1, &k, "b", 1), KvErr::Ok);
    make_move(&mut g1, &mut g2, 3, 2);
    let got = get(&mut g2, &k);
    assert_eq!(
        (got.value.as_str(), got.version, got.err),
        ("b", 2, KvErr::Ok)
    );
    assert_eq!(get(&mut g1, &k).err, KvErr::ErrWrongGroup);
    assert_eq!(g1.slot(3).unwrap().holding, Holding::Absent);
    // Other shards stay where they were.
    assert_eq!(put(&mut g1, &key_of(4), "x", 0), KvErr::Ok);
}

#[test]
fn a_frozen_shard_refuses_gets_and_puts_but_keeps_its_state_until_deleted() {
    let mut g1 = ShardGrpMachine::new(GID1);
    let k = key_of(0);
    put(&mut g1, &k, "a", 0);
    let frozen = freeze(&mut g1, 0, 2);
    assert_eq!(frozen.err, KvErr::Ok);
    assert_eq!(put(&mut g1, &k, "b", 1), KvErr::ErrWrongGroup);
    assert_eq!(get(&mut g1, &k).err, KvErr::ErrWrongGroup);
    // A repeat (a successor finishing the change) gets the same state.
    assert_eq!(freeze(&mut g1, 0, 2), frozen);
    assert_eq!(delete(&mut g1, 0, 2), KvErr::Ok);
    // After the Delete, the repeat learns the shard moved on.
    assert_eq!(freeze(&mut g1, 0, 2).err, KvErr::ErrNoKey);
    assert_eq!(delete(&mut g1, 0, 2), KvErr::Ok);
}

#[test]
fn a_repeated_install_keeps_the_puts_made_since() {
    let (mut g1, mut g2) = (ShardGrpMachine::new(GID1), ShardGrpMachine::new(2));
    let k = key_of(5);
    put(&mut g1, &k, "a", 0);
    let frozen = freeze(&mut g1, 5, 2);
    assert_eq!(install(&mut g2, 5, frozen.state.clone(), 2), KvErr::Ok);
    assert_eq!(put(&mut g2, &k, "b", 1), KvErr::Ok);
    assert_eq!(install(&mut g2, 5, frozen.state, 2), KvErr::Ok);
    assert_eq!(get(&mut g2, &k).version, 2);
}

#[test]
fn requests_older_than_the_shards_newest_number_are_refused() {
    let (mut g1, mut g2) = (ShardGrpMachine::new(GID1), ShardGrpMachine::new(2));
    make_move(&mut g1, &mut g2, 7, 3);
    make_move(&mut g2, &mut g1, 7, 4);
    // An overtaken controller of change 3 comes back.
    let stale = freeze(&mut g1, 7, 3);
    assert_eq!((stale.err, stale.num), (KvErr::ErrVersion, 4));
    assert_eq!(install(&mut g2, 7, Vec::new(), 3), KvErr::ErrVersion);
    assert_eq!(delete(&mut g2, 7, 3), KvErr::ErrVersion);
    // ... and changed nothing: group 1 serves the shard again.
    assert_eq!(put(&mut g1, &key_of(7), "v", 0), KvErr::Ok);
}

#[test]
fn requests_that_fit_no_move_are_refused() {
    let (mut g1, mut g2) = (ShardGrpMachine::new(GID1), ShardGrpMachine::new(2));
    make_move(&mut g1, &mut g2, 2, 2);
    // The destination of change 2 is not its source.
    assert_eq!(freeze(&mut g2, 2, 2).err, KvErr::ErrVersion);
    assert_eq!(delete(&mut g2, 2, 2), KvErr::ErrVersion);
    // A Delete never preceded by its Freeze.
    assert_eq!(delete(&mut g1, 3, 5), KvErr::ErrVersion);
    // A shard served here is not replaced by an Install under a newer number.
    assert_eq!(install(&mut g1, 3, Vec::new(), 5), KvErr::ErrVersion);
    // Bytes that are not a shard, and shards that do not exist.
    assert_eq!(install(&mut g1, 2, vec![0xff; 3], 5), KvErr::ErrVersion);
    assert_eq!(freeze(&mut g1, N_SHARDS, 5).err, KvErr::ErrWrongGroup);
    assert_eq!(
        install(&mut g1, N_SHARDS, Vec::new(), 5),
        KvErr::ErrWrongGroup
    );
    assert_eq!(delete(&mut g1, usize::MAX, 5), KvErr::ErrWrongGroup);
}

#[test]
fn a_freeze_of_a_shard_never_held_fences_older_numbers() {
    let mut g2 = ShardGrpMachine::new(2);
    assert_eq!(freeze(&mut g2, 1, 6).err, KvErr::ErrNoKey);
    assert_eq!(install(&mut g2, 1, Vec::new(), 5), KvErr::ErrVersion);
}

#[test]
fn the_snapshot_restores_every_shard() {
    let (mut g1, mut g2) = (ShardGrpMachine::new(GID1), ShardGrpMachine::new(2));
    put(&mut g1, &key_of(1), "a", 0);
    make_move(&mut g1, &mut g2, 1, 2);
    freeze(&mut g1, 9, 3);
    let mut restored = ShardGrpMachine::new(GID1);
    restored.restore(&g1.snapshot()).unwrap();
    assert_eq!(restored, g1);
    assert!(restored.restore(&[1, 2, 3]).is_err());
    assert_eq!(restored, g1);
}
