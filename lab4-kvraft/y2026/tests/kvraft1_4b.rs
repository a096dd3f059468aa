//! The 2026 course's 4B tests: the versioned KV service on the rsm, without snapshots.
//! All but the speed test and `test_one_partition_4b` are the course's `GenericTest`
//! with the course's arguments: (part, clients, servers, reliable, crash, partitions,
//! maxraftstate, random keys).

use common::kvtest::{ELECTION_TIMEOUT, MAIN_CLIENT};
use common::sim;
use lab4_kvraft_2026::tester::Test;
use std::time::Duration;

#[test]
fn test_basic_4b() {
    sim::run(|| async {
        Test::new("4B basic", 1, 5, true, false, false, -1, false)
            .generic_test()
            .await;
    });
}

#[test]
fn test_speed_4b() {
    sim::run(|| async {
        Test::new("4B speed", 1, 3, true, false, false, -1, false)
            .generic_test_speed()
            .await;
    });
}

#[test]
fn test_concurrent_4b() {
    sim::run(|| async {
        Test::new("4B many clients", 5, 5, true, false, false, -1, false)
            .generic_test()
            .await;
    });
}

#[test]
fn test_unreliable_4b() {
    sim::run(|| async {
        Test::new("4B many clients", 5, 5, false, false, false, -1, false)
            .generic_test()
            .await;
    });
}

/// The course's `TestOnePartition4B`: the majority makes progress, the minority (with
/// the old leader) does not, and the minority's Put completes once the partition heals.
#[test]
fn test_one_partition_4b() {
    sim::run(|| async {
        let t = Test::new(
            "4B progress in majority",
            0,
            5,
            false,
            false,
            false,
            -1,
            false,
        );
        let ts = t.ts.clone();
        let ck = t.make_clerk();
        let ver0 = ts.put_at_least_once(&ck, "1", "13", 0, MAIN_CLIENT).await;
        let l = ck.clerk().leader();
        let (p1, p2) = t.grp.make_partition(l);
        t.grp.partition(&p1, &p2);
        let ckp1 = t.make_clerk_to(&p1);
        let ckp2a = t.make_clerk_to(&p2);
        let ckp2b = t.make_clerk_to(&p2);
        let ver1 = ts
            .put_at_least_once(&ckp1, "1", "14", ver0, MAIN_CLIENT)
            .await;
        ts.check_get(&ckp1, "1", "14", ver1).await;
        t.end();

        t.begin("Test: no progress in minority (4B)");
        let (clnt2a, clnt2b) = (ckp2a.clnt().clone(), ckp2b.clnt().clone());
        let put = {
            let ts = ts.clone();
            sim::spawn(async move {
                ts.put_at_least_once(&ckp2a, "1", "15", ver1, MAIN_CLIENT)
                    .await
            })
        };
        let get = {
            let ts = ts.clone();
            sim::spawn(async move { ts.get(&ckp2b, "1", MAIN_CLIENT).await.1 })
        };
        let mut put = std::pin::pin!(put);
        let mut get = std::pin::pin!(get);
        tokio::select! {
            biased;
            ver = &mut put => panic!("Put in minority completed with version = {ver:?}"),
            ver = &mut get => panic!("Get in minority completed with version = {ver:?}"),
            () = sim::sleep(Duration::from_secs(1)) => {}
        }
        ts.check_get(&ckp1, "1", "14", ver1).await;
        let ver2 = ts
            .put_at_least_once(&ckp1, "1", "16", ver1, MAIN_CLIENT)
            .await;
        ts.check_get(&ckp1, "1", "16", ver2).await;
        t.end();

        t.begin("Test: completion after heal (4B)");
        t.grp.connect_all();
        clnt2a.connect_all();
        clnt2b.connect_all();
        sim::sleep(ELECTION_TIMEOUT).await;
        let ver15 = tokio::select! {
            biased;
            ver = &mut put => ver.expect("the minority Put"),
            () = sim::sleep(Duration::from_millis(30 * 100)) => panic!("Put did not complete"),
        };
        // The course waits on the Get with a default branch: not enforced.
        ts.check_get(&ck, "1", "15", ver15).await;
        t.cleanup();
    });
}

#[test]
fn test_many_partitions_one_client_4b() {
    sim::run(|| async {
        Test::new(
            "4B partitions, one client",
            1,
            5,
            true,
            false,
            true,
            -1,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_many_partitions_many_clients_4b() {
    sim::run(|| async {
        Test::new(
            "4B partitions, many clients (4B)",
            5,
            5,
            true,
            false,
            true,
            -1,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_persist_one_client_4b() {
    sim::run(|| async {
        Test::new(
            "4B restarts, one client 4B ",
            1,
            5,
            true,
            true,
            false,
            -1,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_persist_concurrent_4b() {
    sim::run(|| async {
        Test::new(
            "4B restarts, many clients",
            5,
            5,
            true,
            true,
            false,
            -1,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_persist_concurrent_unreliable_4b() {
    sim::run(|| async {
        Test::new(
            "4B restarts, many clients ",
            5,
            5,
            false,
            true,
            false,
            -1,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_persist_partition_4b() {
    sim::run(|| async {
        Test::new(
            "4B restarts, partitions, many clients",
            5,
            5,
            true,
            true,
            true,
            -1,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_persist_partition_unreliable_4b() {
    sim::run(|| async {
        Test::new(
            "4B restarts, partitions, many clients",
            5,
            5,
            false,
            true,
            true,
            -1,
            false,
        )
        .generic_test()
        .await;
    });
}

#[test]
fn test_persist_partition_unreliable_linearizable_4b() {
    sim::run(|| async {
        Test::new(
            "4B restarts, partitions, random keys, many clients",
            15,
            7,
            false,
            true,
            true,
            -1,
            true,
        )
        .generic_test()
        .await;
    });
}
