//! The course's two 5B challenges: groups delete the shards they gave away, so what they
//! store stays bounded (challenge 1); and shards keep being served while a configuration
//! change is stuck on shards that cannot arrive (challenge 2).

use common::sim;
use lab5_shardkv::key_to_shard;
use lab5_shardkv::shardkv::tester::{GIDS, Keys, Tester};
use std::time::Duration;

const N: usize = 10;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn test_challenge1_delete() {
    sim::run(|| async {
        let t = Tester::new(false, Some(1));
        t.begin("Test: shard deletion (challenge 1)");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        // 30,000 bytes of values in all.
        let n = 30;
        let keys = Keys::put(&mut ck, n, 1000).await;
        keys.check(&mut ck, 0..3).await;

        for _ in 0..2 {
            t.join(1).await;
            t.leave(0).await;
            t.join(2).await;
            sim::sleep(secs(3)).await;
            keys.check(&mut ck, 0..3).await;
            t.leave(1).await;
            t.join(0).await;
            t.leave(2).await;
            sim::sleep(secs(3)).await;
            keys.check(&mut ck, 0..3).await;
        }

        t.join(1).await;
        t.join(2).await;
        for _ in 0..3 {
            sim::sleep(secs(1)).await;
            keys.check(&mut ck, 0..3).await;
        }

        // 27 keys stored once, 3 keys perhaps also in duplicate tables, on 3 replicas,
        // plus slack (the course's bound).
        let total = t.persisted_total();
        let expected = 3 * ((n - 3) * 1000 + 2 * 3 * 1000 + 6000);
        assert!(
            total <= expected,
            "snapshot + persisted Raft state are too big: {total} > {expected}"
        );
        println!("  stored: {total} bytes (limit {expected})");
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_challenge2_unaffected() {
    sim::run(|| async {
        let t = Tester::new(true, Some(100));
        t.begin("Test: unaffected shard access (challenge 2)");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put_value(&mut ck, N, "100").await;

        t.join(1).await;
        // The shards group 101 owns now.
        let config = t.query().await;
        let owned: Vec<bool> = config.shards.iter().map(|&gid| gid == GIDS[1]).collect();
        // Let the migration finish and the clerks learn the new configuration.
        sim::sleep(secs(1)).await;
        // As the course's test, this indexes `owned` by key number, not shard; the
        // expected values stay right either way.
        for (i, &owned_by_101) in owned.iter().enumerate().take(N) {
            if owned_by_101 {
                keys.values[i] = "101".to_string();
                ck.put(&keys.keys[i], "101").await;
            }
        }

        // Group 101 can never get group 100's other shards now.
        t.shutdown_group(0);
        t.leave(0).await;
        sim::sleep(secs(1)).await;

        // But the shards it has keep being served.
        for i in 0..N {
            if owned[key_to_shard(&keys.keys[i])] {
                keys.check(&mut ck, [i]).await;
                keys.values[i].push_str("-1");
                ck.put(&keys.keys[i], &keys.values[i]).await;
                keys.check(&mut ck, [i]).await;
            }
        }
        t.end();
        t.cleanup();
    });
}

#[test]
fn test_challenge2_partial() {
    sim::run(|| async {
        let t = Tester::new(true, Some(100));
        t.begin("Test: partial migration shard access (challenge 2)");
        let mut ck = t.make_client(t.ctrlers());
        t.join_many(&[0, 1, 2]).await;
        sim::sleep(secs(1)).await;
        let mut keys = Keys::put_value(&mut ck, N, "100").await;

        // The shards group 102 owns.
        let config = t.query().await;
        let owned: Vec<bool> = config.shards.iter().map(|&gid| gid == GIDS[2]).collect();

        // Group 101 takes everything: it can get 102's shards, but not 100's, and must
        // serve 102's as soon as it has them.
        t.shutdown_group(0);
        t.leave_many(&[0, 2]).await;
        sim::sleep(secs(1)).await;

        for i in 0..N {
            if owned[key_to_shard(&keys.keys[i])] {
                keys.check(&mut ck, [i]).await;
                keys.values[i].push_str("-2");
                ck.put(&keys.keys[i], &keys.values[i]).await;
                keys.check(&mut ck, [i]).await;
            }
        }
        t.end();
        t.cleanup();
    });
}
