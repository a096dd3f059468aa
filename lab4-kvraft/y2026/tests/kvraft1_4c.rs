//! The 2026 course's 4C tests: snapshots (maxraftstate 1000). The last six are the
//! course's `GenericTest` with the course's arguments.

use common::kvtest::{ELECTION_TIMEOUT, MAIN_CLIENT};
use common::sim;
use lab4_kvraft_2026::tester::Test;

/// The course's `TestSnapshotRPC4C`: a server left behind must catch up (normally by
/// InstallSnapshot), and the majority must trim its log although it does not answer.
#[test]
fn test_snapshot_rpc_4c() {
    sim::run(|| async {
        const MAXRAFTSTATE: usize = 1000;
        let t = Test::new("4C SnapshotsRPC", 0, 3, true, false, false, 1000, false);
        let ts = t.ts.clone();
        let ck = t.make_clerk();
        t.begin("Test: InstallSnapshot RPC (4C)");
        let vera = ts.put_at_least_once(&ck, "a", "A", 0, MAIN_CLIENT).await;
        ts.check_get(&ck, "a", "A", vera).await;
        // A bunch of Puts into the majority.
        t.grp.partition(&[0, 1], &[2]);
        let verb = {
            let ck1 = t.make_clerk_to(&[0, 1]);
            for i in 0..50 {
                let s = i.to_string();
                ts.put_at_least_once(&ck1, &s, &s, 0, MAIN_CLIENT).await;
            }
            sim::sleep(ELECTION_TIMEOUT).await;
            ts.put_at_least_once(&ck1, "b", "B", 0, MAIN_CLIENT).await
        };
        // The majority has thrown away most of its log.
        let sz = t.grp.raft_size();
        assert!(
            sz <= 8 * MAXRAFTSTATE,
            "logs were not trimmed ({sz} > 8*{MAXRAFTSTATE})"
        );
        // A majority that needs the server left behind, which must catch up.
        t.grp.partition(&[0, 2], &[1]);
        let verc = {
            let ck1 = t.make_clerk_to(&[0, 2]);
            let verc = ts.put_at_least_once(&ck1, "c", "C", 0, MAIN_CLIENT).await;
            ts.put_at_least_once(&ck1, "d", "D", 0, MAIN_CLIENT).await;
            ts.check_get(&ck1, "a", "A", vera).await;
            ts.check_get(&ck1, "b", "B", verb).await;
            ts.check_get(&ck1, "1", "1", 1).await;
            ts.check_get(&ck1, "49", "49", 1).await;
            verc
        };
        // Everybody.
        t.grp.partition(&[0, 1, 2], &[]);
        let vere = ts.put_at_least_once(&ck, "e", "E", 0, MAIN_CLIENT).await;
        ts.check_get(&ck, "c", "C", verc).await;
        ts.check_get(&ck, "e", "E", vere).await;
        ts.check_get(&ck, "1", "1", 1).await;
        t.cleanup();
    });
}

/// The course's `TestSnapshotSize4C`: 500 bytes is a generous bound on the snapshot of
/// one key.
#[test]
fn test_snapshot_size_4c() {
    sim::run(|| async {
        const MAXRAFTSTATE: usize = 1000;
        const MAXSNAPSHOTSTATE: usize = 500;
        let t = Test::new(
            "4C snapshot size is reasonable",
            0,
            3,
            true,
            false,
            false,
            1000,
            false,
        );
        let ts = t.ts.clone();
        let ck = t.make_clerk();
        let mut ver = 0;
        for _ in 0..200 {
            ver = ts.put_at_least_once(&ck, "x", "0", ver, MAIN_CLIENT).await;
            ts.check_get(&ck, "x", "0", ver).await;
            ver = ts.put_at_least_once(&ck, "x", "1", ver, MAIN_CLIENT).await;
            ts.check_get(&ck, "x", "1", ver).await;
        }
        let sz = t.grp.raft_size();
        assert!(
            sz <= 8 * MAXRAFTSTATE,
            "logs were not trimmed ({sz} > 8*{MAXRAFTSTATE})"
        );
        let ssz = t.grp.snapshot_size();
        assert!(
            ssz <= MAXSNAPSHOTSTATE,
            "snapshot too large ({ssz} > {MAXSNAPSHOTSTATE})"
        );
        t.cleanup();
    });
}

#[test]
fn test_speed_4c() {
    sim::run(|| async {
        Test::new("4C speed", 1, 3, true, false, false, 1000, false)
            .generic_test_speed()
            .await;
    });
}

#[test]
fn test_snapshot_recover_4c() {
    sim::run(|| async {
        Test::new(
            "4C restarts, snapshots, one client",
            1,
            5,
            true,
            true,
            false,
            1000,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_snapshot_recover_many_clients_4c() {
    sim::run(|| async {
        Test::new(
            "4C restarts, snapshots, many clients ",
            20,
            5,
            true,
            true,
            false,
            1000,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_snapshot_unreliable_4c() {
    sim::run(|| async {
        Test::new(
            "4C unreliable net, snapshots, many clients",
            5,
            5,
            false,
            false,
            false,
            1000,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_snapshot_unreliable_recover_4c() {
    sim::run(|| async {
        Test::new(
            "4C unreliable net, restarts, snapshots, many clients",
            5,
            5,
            false,
            true,
            false,
            1000,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_snapshot_unreliable_recover_concurrent_partition_4c() {
    sim::run(|| async {
        Test::new(
            "4C unreliable net, restarts, partitions, snapshots, many clients",
            5,
            5,
            false,
            true,
            true,
            1000,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_snapshot_unreliable_recover_concurrent_partition_linearizable_4c() {
    sim::run(|| async {
        Test::new(
            "4C unreliable net, restarts, partitions, snapshots, random keys, many clients",
            15,
            7,
            false,
            true,
            true,
            1000,
            true,
        )
        .generic_test()
        .await;
    });
}
