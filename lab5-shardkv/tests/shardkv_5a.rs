//! The course's shardkv 5A tests: static sharding. Each group serves exactly the shards
//! its configuration gives it, and refuses the rest.

use common::sim;
use lab5_shardkv::shardkv::tester::{GIDS, Tester};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const N: usize = 10;

/// A random string of 20 letters and digits (the course's `randstring(20)`).
fn random_value() -> String {
    sim::random_string(sim::ALPHANUMERIC, 20)
}

/// Puts keys "0".."9" (one per shard) with random values through a clerk of the real
/// controller, checks them, and returns them.
async fn put_keys(t: &Tester) -> Vec<(String, String)> {
    let mut ck = t.make_client(t.ctrlers());
    let kv: Vec<(String, String)> = (0..N).map(|i| (i.to_string(), random_value())).collect();
    for (k, v) in &kv {
        ck.put(k, v).await;
    }
    for (k, v) in &kv {
        assert_eq!(&ck.get(k).await, v, "Get({k})");
    }
    kv
}

/// Counts the Gets that complete before 2 s pass with none completing, failing on a wrong
/// value (the course's collection loop).
async fn completions(mut done: mpsc::UnboundedReceiver<Result<(), String>>) -> usize {
    let mut n = 0;
    loop {
        tokio::select! {
            biased;
            got = done.recv() => match got {
                Some(Ok(())) => n += 1,
                Some(Err(e)) => panic!("{e}"),
                None => return n,
            },
            () = sim::sleep(Duration::from_secs(2)) => return n,
        }
    }
}

#[test]
fn test_static_shards_5a() {
    sim::run(|| async {
        let t = Arc::new(Tester::new(false, None));
        t.begin("Test (5A): static shards");
        t.join(0).await;
        t.join(1).await;
        let kv = put_keys(&t).await;

        // The data is really sharded: with group 1 down, only its shards' Gets hang.
        t.shutdown_group(1);
        t.check_logs(); // with maxraftstate -1, no snapshots
        let (tx, rx) = mpsc::unbounded_channel();
        for (k, v) in kv.clone() {
            let mut ck = t.make_client(t.ctrlers()); // one call per clerk
            let tx = tx.clone();
            tokio::spawn(async move {
                let got = ck.get(&k).await;
                let outcome = if got == v {
                    Ok(())
                } else {
                    Err(format!("Get({k}): expected:\n{v}\nreceived:\n{got}"))
                };
                let _ = tx.send(outcome);
            });
        }
        drop(tx);
        let done = completions(rx).await;
        assert_eq!(
            done,
            N / 2,
            "expected {} completions with one shard dead; got {done}",
            N / 2
        );

        // Bring the group back.
        t.start_group(1);
        let mut ck = t.make_client(t.ctrlers());
        for (k, v) in &kv {
            assert_eq!(&ck.get(k).await, v, "Get({k})");
        }
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_rejection_5a() {
    sim::run(|| async {
        let t = Arc::new(Tester::new(false, None));
        t.begin("Test (5A): rejection");
        t.join(0).await;
        t.join(1).await;
        let kv = put_keys(&t).await;

        // A second controller service in which only group 0 joined: its clerks send every
        // key to group 0, which must refuse the shards its own configuration gives group 1.
        let ctl1 = t.start_ctrler_service("ctlr1");
        {
            let (ends, _) = ctl1.client_ends(&ctl1.all());
            let mut mck1 = lab5_shardkv::ctrler::Clerk::new(ends);
            let servers: Vec<String> = (0..3).map(|i| format!("server-{}-{i}", GIDS[0])).collect();
            mck1.join(BTreeMap::from([(GIDS[0], servers)])).await;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        for (k, v) in kv.clone() {
            let mut ck = t.make_client(&ctl1);
            let tx = tx.clone();
            tokio::spawn(async move {
                let got = ck.get(&k).await;
                let outcome = if got == v {
                    Ok(())
                } else if got.is_empty() {
                    Err(format!(
                        "Get({k}) returned \"\": a server answered for a shard its group does not serve"
                    ))
                } else {
                    Err(format!("Get({k}): expected:\n{v}\nreceived:\n{got}"))
                };
                let _ = tx.send(outcome);
            });
        }
        drop(tx);
        let done = completions(rx).await;
        assert_eq!(done, N / 2, "expected {} completions; got {done}", N / 2);
        t.end();
        ctl1.cleanup();
        t.cleanup();
    });
}
