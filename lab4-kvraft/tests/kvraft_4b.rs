//! The course's 4B tests: the key/value service on Raft with snapshots.

use common::sim;
use lab4_kvraft::tester::generic::{Generic, generic_test_speed};
use lab4_kvraft::tester::{ELECTION_TIMEOUT, Tester};

/// The course's `maxraftstate` for the 4B tests.
const MAX_RAFT_STATE: usize = 1000;

/// The 4B generic test with `clients` clients on `servers` servers.
fn generic(clients: usize, servers: usize) -> Generic {
    Generic::new("4B", clients, servers, Some(MAX_RAFT_STATE))
}

#[track_caller]
fn assert_log_trimmed(tester: &Tester) {
    let size = tester.cluster().log_size();
    assert!(
        size <= 8 * MAX_RAFT_STATE,
        "logs were not trimmed ({size} > 8*{MAX_RAFT_STATE})"
    );
}

/// The course's `TestSnapshotRPC4B`: a majority keeps working and compacts its log while
/// one server is cut off; then that server is needed for a majority and must catch up,
/// normally through InstallSnapshot.
#[test]
fn test_snapshot_rpc_4b() {
    sim::run(|| async {
        let tester = Tester::new(3, false, Some(MAX_RAFT_STATE));
        let mut main = tester.make_client(&tester.all());
        tester.begin("Test: InstallSnapshot RPC (4B)");
        tester.put(&mut main, "a", "A", 0).await;
        tester.check(&mut main, "a", "A", 0).await;

        // A bunch of puts into the majority partition.
        tester.cluster().partition(&[0, 1], &[2]);
        {
            let mut ck1 = tester.make_client(&[0, 1]);
            for i in 0..50 {
                tester
                    .put(&mut ck1, &i.to_string(), &i.to_string(), 1)
                    .await;
            }
            sim::sleep(ELECTION_TIMEOUT).await;
            tester.put(&mut ck1, "b", "B", 1).await;
        }
        // The majority has thrown away most of its log.
        assert_log_trimmed(&tester);

        // A majority that needs the lagging server, which must catch up.
        tester.cluster().partition(&[0, 2], &[1]);
        {
            let mut ck1 = tester.make_client(&[0, 2]);
            tester.put(&mut ck1, "c", "C", 2).await;
            tester.put(&mut ck1, "d", "D", 2).await;
            tester.check(&mut ck1, "a", "A", 2).await;
            tester.check(&mut ck1, "b", "B", 2).await;
            tester.check(&mut ck1, "1", "1", 2).await;
            tester.check(&mut ck1, "49", "49", 2).await;
        }

        // Now everybody.
        tester.cluster().partition(&[0, 1, 2], &[]);
        tester.put(&mut main, "e", "E", 0).await;
        tester.check(&mut main, "c", "C", 0).await;
        tester.check(&mut main, "e", "E", 0).await;
        tester.check(&mut main, "1", "1", 0).await;
        tester.end();
        tester.cleanup();
    });
}

/// The course's `TestSnapshotSize4B`: 800 operations on one key leave a short log and a
/// small snapshot (at most 500 bytes: the state, not the history).
#[test]
fn test_snapshot_size_4b() {
    sim::run(|| async {
        const MAX_SNAPSHOT_STATE: usize = 500;
        let tester = Tester::new(3, false, Some(MAX_RAFT_STATE));
        let mut main = tester.make_client(&tester.all());
        tester.begin("Test: snapshot size is reasonable (4B)");
        for _ in 0..200 {
            tester.put(&mut main, "x", "0", 0).await;
            tester.check(&mut main, "x", "0", 0).await;
            tester.put(&mut main, "x", "1", 0).await;
            tester.check(&mut main, "x", "1", 0).await;
        }
        assert_log_trimmed(&tester);
        let size = tester.cluster().snapshot_size();
        assert!(
            size <= MAX_SNAPSHOT_STATE,
            "snapshot too large ({size} > {MAX_SNAPSHOT_STATE})"
        );
        tester.end();
        tester.cleanup();
    });
}

#[test]
fn test_speed_4b() {
    sim::run(|| generic_test_speed("4B", Some(MAX_RAFT_STATE)));
}

#[test]
fn test_snapshot_recover_4b() {
    generic(1, 5).crash().run();
}

#[test]
fn test_snapshot_recover_many_clients_4b() {
    generic(20, 5).crash().run();
}

#[test]
fn test_snapshot_unreliable_4b() {
    generic(5, 5).unreliable().run();
}

#[test]
fn test_snapshot_unreliable_recover_4b() {
    generic(5, 5).unreliable().crash().run();
}

#[test]
fn test_snapshot_unreliable_recover_concurrent_partition_4b() {
    generic(5, 5).unreliable().crash().partitions().run();
}

#[test]
fn test_snapshot_unreliable_recover_concurrent_partition_linearizable_4b() {
    generic(15, 7)
        .unreliable()
        .crash()
        .partitions()
        .random_keys()
        .run();
}
