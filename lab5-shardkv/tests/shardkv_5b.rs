//! The course's shardkv 5B tests: shards move between groups as groups join and leave,
//! through crashes, restarts, missed configuration changes and an unreliable network,
//! and no write is ever lost or applied twice.

use common::sim::{self, RngExt};
use lab5_shardkv::shardkv::tester::{Appenders, Keys, Tester, random_string};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const N: usize = 10;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn test_join_leave_5b() {
    sim::run(|| async {
        let t = Tester::new(false, None);
        t.begin("Test (5B): join then leave");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put(&mut ck, N, 5).await;
        keys.check_all(&mut ck).await;

        t.join(1).await;
        keys.check_append(&mut ck, 0..N, 5).await;
        t.leave(0).await;
        keys.check_append(&mut ck, 0..N, 5).await;

        // Allow time for shards to transfer.
        sim::sleep(Duration::from_secs(1)).await;
        t.check_logs();
        // The data must have moved to group 1.
        t.shutdown_group(0);
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_snapshot_5b() {
    sim::run(|| async {
        let t = Tester::new(false, Some(1000));
        t.begin("Test (5B): snapshots, join, and leave");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let n = 30;
        let mut keys = Keys::put(&mut ck, n, 20).await;
        keys.check_all(&mut ck).await;

        t.join(1).await;
        t.join(2).await;
        t.leave(0).await;
        keys.check_append(&mut ck, 0..n, 20).await;
        t.leave(1).await;
        t.join(0).await;
        keys.check_append(&mut ck, 0..n, 20).await;

        sim::sleep(Duration::from_secs(1)).await;
        keys.check_all(&mut ck).await;
        sim::sleep(Duration::from_secs(1)).await;
        t.check_logs();

        for gi in 0..3 {
            t.shutdown_group(gi);
        }
        for gi in 0..3 {
            t.start_group(gi);
        }
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_miss_change_5b() {
    sim::run(|| async {
        let t = Tester::new(false, Some(1000));
        t.begin("Test (5B): servers miss configuration changes...");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put(&mut ck, N, 20).await;
        keys.check_all(&mut ck).await;
        t.join(1).await;

        for gi in 0..3 {
            t.shutdown_server(gi, 0);
        }
        t.join(2).await;
        t.leave(1).await;
        t.leave(0).await;
        keys.check_append(&mut ck, 0..N, 20).await;
        t.join(1).await;
        keys.check_append(&mut ck, 0..N, 20).await;

        // The restarted servers must catch up on the changes they missed.
        for gi in 0..3 {
            t.start_server(gi, 0);
        }
        keys.check_append(&mut ck, 0..N, 20).await;
        sim::sleep(Duration::from_secs(2)).await;

        for gi in 0..3 {
            t.shutdown_server(gi, 1);
        }
        t.join(0).await;
        t.leave(2).await;
        keys.check_append(&mut ck, 0..N, 20).await;
        for gi in 0..3 {
            t.start_server(gi, 1);
        }
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_concurrent1_5b() {
    sim::run(|| async {
        let t = Tester::new(false, Some(100));
        t.begin("Test (5B): concurrent puts and configuration changes...");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put(&mut ck, N, 5).await;
        keys.check_all(&mut ck).await;

        let appenders = Appenders::start(&t, &keys, 5, Some(ms(10)));
        sim::sleep(ms(150)).await;
        t.join(1).await;
        sim::sleep(ms(500)).await;
        t.join(2).await;
        sim::sleep(ms(500)).await;
        t.leave(0).await;

        t.shutdown_group(0);
        sim::sleep(ms(100)).await;
        t.shutdown_group(1);
        sim::sleep(ms(100)).await;
        t.shutdown_group(2);

        t.leave(2).await;

        sim::sleep(ms(100)).await;
        for gi in 0..3 {
            t.start_group(gi);
        }

        sim::sleep(ms(100)).await;
        t.join(0).await;
        t.leave(1).await;
        sim::sleep(ms(500)).await;
        t.join(1).await;

        sim::sleep(Duration::from_secs(1)).await;
        appenders.finish();
        appenders.wait(&mut keys).await;
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

/// This tests the various sources from which a restarting group might need to fetch its
/// shards.
#[test]
fn test_concurrent2_5b() {
    sim::run(|| async {
        let t = Tester::new(false, None);
        t.begin("Test (5B): more concurrent puts and configuration changes...");
        let mut ck = t.make_client(t.ctrlers());
        t.join(1).await;
        t.join(0).await;
        t.join(2).await;
        let mut keys = Keys::put(&mut ck, N, 1).await;
        keys.check_all(&mut ck).await;

        let appenders = Appenders::start(&t, &keys, 1, Some(ms(50)));
        t.leave(0).await;
        t.leave(2).await;
        sim::sleep(ms(3000)).await;
        t.join(0).await;
        t.join(2).await;
        t.leave(1).await;
        sim::sleep(ms(3000)).await;
        t.join(1).await;
        t.leave(0).await;
        t.leave(2).await;
        sim::sleep(ms(3000)).await;

        t.shutdown_group(1);
        t.shutdown_group(2);
        sim::sleep(ms(1000)).await;
        t.start_group(1);
        t.start_group(2);

        sim::sleep(ms(2000)).await;
        appenders.finish();
        appenders.wait(&mut keys).await;
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_concurrent3_5b() {
    sim::run(|| async {
        let t = Tester::new(false, Some(300));
        t.begin("Test (5B): concurrent configuration change and restart...");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put(&mut ck, N, 1).await;
        keys.check_all(&mut ck).await;

        let appenders = Appenders::start(&t, &keys, 1, None);
        let pause = || ms(sim::rng(|r| r.random_range(0..900)));
        let t0 = sim::now();
        while sim::now() - t0 < Duration::from_secs(12) {
            t.join(2).await;
            t.join(1).await;
            sim::sleep(pause()).await;
            for gi in 0..3 {
                t.shutdown_group(gi);
            }
            for gi in 0..3 {
                t.start_group(gi);
            }
            sim::sleep(pause()).await;
            t.leave(1).await;
            t.leave(2).await;
            sim::sleep(pause()).await;
        }

        sim::sleep(Duration::from_secs(2)).await;
        appenders.finish();
        appenders.wait(&mut keys).await;
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_unreliable1_5b() {
    sim::run(|| async {
        let t = Tester::new(true, Some(100));
        t.begin("Test (5B): unreliable 1...");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put(&mut ck, N, 5).await;

        t.join(1).await;
        t.join(2).await;
        t.leave(0).await;
        keys.check_append(&mut ck, (0..N * 2).map(|ii| ii % N), 5)
            .await;

        t.join(0).await;
        t.leave(1).await;
        keys.check(&mut ck, (0..N * 2).map(|ii| ii % N)).await;
        t.end();
        t.cleanup();
    });
}

/// The membership schedule of the unreliable 2 and 3 tests.
async fn unreliable_schedule(t: &Tester) {
    sim::sleep(ms(150)).await;
    t.join(1).await;
    sim::sleep(ms(500)).await;
    t.join(2).await;
    sim::sleep(ms(500)).await;
    t.leave(0).await;
    sim::sleep(ms(500)).await;
    t.leave(1).await;
    sim::sleep(ms(500)).await;
    t.join(1).await;
    t.join(0).await;
    sim::sleep(Duration::from_secs(2)).await;
}

#[test]
fn test_unreliable2_5b() {
    sim::run(|| async {
        let t = Tester::new(true, Some(100));
        t.begin("Test (5B): unreliable 2...");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put(&mut ck, N, 5).await;

        let appenders = Appenders::start(&t, &keys, 5, None);
        unreliable_schedule(&t).await;
        appenders.finish();
        // Let the calls in flight finish.
        t.net().set_reliable(true);
        appenders.wait(&mut keys).await;
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_unreliable3_5b() {
    sim::run(|| async {
        let t = Arc::new(Tester::new(true, Some(100)));
        t.begin("Test (5B): unreliable 3...");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let keys: Vec<String> = (0..N).map(|i| i.to_string()).collect();
        for key in &keys {
            t.put(&mut ck, key, &random_string(5), 0).await;
        }

        let done = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..N as u64)
            .map(|id| {
                let (t, done, keys) = (t.clone(), done.clone(), keys.clone());
                let mut ck = t.make_client(t.ctrlers());
                tokio::spawn(async move {
                    while !done.load(Ordering::Relaxed) {
                        let key = &keys[sim::rng(|r| r.random_range(0..N))];
                        let value = random_string(5);
                        if sim::rng(|r| r.random_range(0..1000)) < 500 {
                            t.append(&mut ck, key, &value, id).await;
                        } else if sim::rng(|r| r.random_range(0..1000)) < 100 {
                            t.put(&mut ck, key, &value, id).await;
                        } else {
                            t.get(&mut ck, key, id).await;
                        }
                    }
                })
            })
            .collect();

        unreliable_schedule(&t).await;
        done.store(true, Ordering::Relaxed);
        t.net().set_reliable(true);
        for worker in workers {
            worker.await.expect("worker panicked");
        }
        let (_, ops) = t.check_linearizable();
        assert!(ops > N, "only {ops} operations were recorded");
        t.end();
        t.cleanup();
    });
}
