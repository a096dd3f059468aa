//! The course's 4A tests: the key/value service on Raft without snapshots.

use common::sim;
use lab4_kvraft::tester::generic::{Generic, generic_test_speed};
use lab4_kvraft::tester::{ELECTION_TIMEOUT, Tester, check_client_appends};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// The 4A generic test with `clients` clients on `servers` servers.
fn generic(clients: usize, servers: usize) -> Generic {
    Generic::new("4A", clients, servers, None)
}

#[test]
fn test_basic_4a() {
    generic(1, 5).run();
}

#[test]
fn test_speed_4a() {
    sim::run(|| generic_test_speed("4A", None));
}

#[test]
fn test_concurrent_4a() {
    generic(5, 5).run();
}

#[test]
fn test_unreliable_4a() {
    generic(5, 5).unreliable().run();
}

/// The course's `TestUnreliableOneKey4A`: concurrent appends to one key over an unreliable
/// network each land exactly once, in each client's order.
#[test]
fn test_unreliable_one_key_4a() {
    sim::run(|| async {
        const CLIENTS: usize = 5;
        const UPTO: usize = 10;
        let tester = Arc::new(Tester::new(3, true, None));
        let mut main = tester.make_client(&tester.all());
        tester.begin("Test: concurrent append to same key, unreliable (4A)");
        tester.put(&mut main, "k", "", 0).await;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|me| {
                let tester = tester.clone();
                tokio::spawn(async move {
                    let mut client = tester.make_client(&tester.all());
                    for n in 0..UPTO {
                        let value = format!("x {me} {n} y");
                        tester.append(&mut client, "k", &value, me as u64).await;
                    }
                    tester.delete_client(client);
                })
            })
            .collect();
        for client in clients {
            client.await.expect("client task");
        }
        let value = tester.get(&mut main, "k", 0).await;
        // The course's checkConcurrentAppends.
        for me in 0..CLIENTS {
            check_client_appends(me, &value, UPTO);
        }
        tester.end();
        tester.cleanup();
    });
}

/// The course's `TestOnePartition4A`: the majority side of a partition makes progress, the
/// minority side (with the old leader) answers nobody, and after the partition heals the
/// minority's pending Put completes.
#[test]
fn test_one_partition_4a() {
    sim::run(|| async {
        let tester = Arc::new(Tester::new(5, false, None));
        let mut main = tester.make_client(&tester.all());
        tester.put(&mut main, "1", "13", 0).await;

        tester.begin("Test: progress in majority (4A)");
        let (p1, p2) = tester.cluster().make_partition();
        tester.cluster().partition(&p1, &p2);
        let mut ckp1 = tester.make_client(&p1);
        let mut ckp2a = tester.make_client(&p2);
        let mut ckp2b = tester.make_client(&p2);
        tester.put(&mut ckp1, "1", "14", 1).await;
        tester.check(&mut ckp1, "1", "14", 1).await;
        tester.end();

        tester.begin("Test: no progress in minority (4A)");
        let (ends_2a, ends_2b) = (ckp2a.ends(), ckp2b.ends());
        let (put_done, mut put_done_rx) = oneshot::channel();
        let (get_done, mut get_done_rx) = oneshot::channel();
        let t = tester.clone();
        tokio::spawn(async move {
            t.put(&mut ckp2a, "1", "15", 2).await;
            let _ = put_done.send(ckp2a);
        });
        let t = tester.clone();
        tokio::spawn(async move {
            t.get(&mut ckp2b, "1", 3).await;
            let _ = get_done.send(ckp2b);
        });
        tokio::select! {
            biased;
            _ = &mut put_done_rx => panic!("Put in minority completed"),
            _ = &mut get_done_rx => panic!("Get in minority completed"),
            () = sim::sleep(Duration::from_secs(1)) => {}
        }
        tester.check(&mut ckp1, "1", "14", 1).await;
        tester.put(&mut ckp1, "1", "16", 1).await;
        tester.check(&mut ckp1, "1", "16", 1).await;
        tester.end();

        tester.begin("Test: completion after heal (4A)");
        tester.cluster().connect_all();
        tester.connect_client(&ends_2a, &tester.all());
        tester.connect_client(&ends_2b, &tester.all());
        sim::sleep(ELECTION_TIMEOUT).await;
        tokio::select! {
            biased;
            _ = &mut put_done_rx => {}
            () = sim::sleep(Duration::from_millis(30 * 100)) => panic!("Put did not complete"),
        }
        // As the course's, the Get is not required to have completed by now.
        tester.check(&mut main, "1", "15", 0).await;
        tester.end();
        tester.cleanup();
    });
}

#[test]
fn test_many_partitions_one_client_4a() {
    generic(1, 5).partitions().run();
}

#[test]
fn test_many_partitions_many_clients_4a() {
    generic(5, 5).partitions().run();
}

#[test]
fn test_persist_one_client_4a() {
    generic(1, 5).crash().run();
}

#[test]
fn test_persist_concurrent_4a() {
    generic(5, 5).crash().run();
}

#[test]
fn test_persist_concurrent_unreliable_4a() {
    generic(5, 5).unreliable().crash().run();
}

#[test]
fn test_persist_partition_4a() {
    generic(5, 5).crash().partitions().run();
}

#[test]
fn test_persist_partition_unreliable_4a() {
    generic(5, 5).unreliable().crash().partitions().run();
}

#[test]
fn test_persist_partition_unreliable_linearizable_4a() {
    generic(15, 7)
        .unreliable()
        .crash()
        .partitions()
        .random_keys()
        .run();
}
