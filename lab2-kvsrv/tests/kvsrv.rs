//! The course's Lab 2 tests that exercise behaviour (the memory tests are in `mem.rs`).

use common::sim::{self, RngExt};
use lab2_kvsrv::tester::{Tester, check_client_appends};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Iterations of the generic test, and how long clients run in each (the course's NITER, TIME).
const NITER: usize = 3;
const TIME: Duration = Duration::from_secs(1);

/// The course's `GenericTest` with fixed keys: each client appends to and reads its own key,
/// checking what it reads, then the whole history must be linearizable.
fn generic_test(nclients: usize, unreliable: bool) {
    sim::run(move || async move {
        let mut title = "Test: ".to_string();
        if unreliable {
            title.push_str("unreliable net, ");
        }
        title.push_str(if nclients > 1 {
            "many clients"
        } else {
            "one client"
        });
        let mut tester = Tester::new(unreliable);
        tester.begin(&title);
        let tester = Arc::new(tester);
        let main_clerk = tester.make_client();
        for _ in 0..NITER {
            let done = Arc::new(AtomicBool::new(false));
            let mut clients = Vec::new();
            for cli in 0..nclients {
                let (tester, done) = (tester.clone(), done.clone());
                clients.push(tokio::spawn(async move {
                    let mut clerk = tester.make_client();
                    let key = cli.to_string();
                    let mut last = String::new();
                    tester.put(&mut clerk, &key, &last, cli as u64).await;
                    let mut j = 0;
                    while !done.load(Ordering::Relaxed) {
                        let value = format!("x {cli} {j} y");
                        if sim::rng(|r| r.random_range(0..1000)) < 500 {
                            let old = tester.append(&mut clerk, &key, &value, cli as u64).await;
                            if j > 0 {
                                let previous = format!("x {cli} {} y", j - 1);
                                // Usually the last thing appended: a quick look first.
                                assert!(
                                    old.ends_with(&previous) || old.contains(&previous),
                                    "error: old {old} not in return"
                                );
                            }
                            assert!(
                                !old.contains(&value),
                                "error: new value {value} in returned values"
                            );
                            last.push_str(&value);
                            j += 1;
                        } else {
                            let got = tester.get(&clerk, &key, cli as u64).await;
                            assert_eq!(got, last, "get wrong value, key {key}");
                        }
                    }
                    tester.delete_client(clerk);
                    j
                }));
            }
            sim::sleep(TIME).await;
            done.store(true, Ordering::Relaxed);
            for (cli, client) in clients.into_iter().enumerate() {
                let appends = client.await.expect("client task");
                let value = tester.get(&main_clerk, &cli.to_string(), cli as u64).await;
                check_client_appends(cli, &value, appends);
            }
        }
        tester.check_linearizable();
        tester.end();
    });
}

#[test]
fn test_basic_2() {
    generic_test(1, false);
}

#[test]
fn test_concurrent_2() {
    generic_test(5, false);
}

#[test]
fn test_unreliable_2() {
    generic_test(5, true);
}

/// The course's `TestUnreliableOneKey2`: concurrent appends to one key over an unreliable
/// network; each lands exactly once, in each client's order.
#[test]
fn test_unreliable_one_key_2() {
    sim::run(|| async {
        const NCLIENT: usize = 5;
        const UPDATES: usize = 10;
        let mut tester = Tester::new(true);
        let mut main_clerk = tester.make_client();
        tester.begin("Test: concurrent append to same key, unreliable");
        let tester = Arc::new(tester);
        tester.put(&mut main_clerk, "k", "", 0).await;
        let mut clients = Vec::new();
        for me in 0..NCLIENT {
            let tester = tester.clone();
            clients.push(tokio::spawn(async move {
                let mut clerk = tester.make_client();
                for n in 0..UPDATES {
                    let value = format!("x {me} {n} y");
                    let old = tester.append(&mut clerk, "k", &value, me as u64).await;
                    assert!(
                        !old.contains(&value),
                        "error: old {old} contains new {value}"
                    );
                }
                tester.delete_client(clerk);
            }));
        }
        for client in clients {
            client.await.expect("client task");
        }
        let value = tester.get(&main_clerk, "k", 0).await;
        // The course's checkConcurrentAppends.
        for me in 0..NCLIENT {
            check_client_appends(me, &value, UPDATES);
        }
        tester.end();
    });
}
