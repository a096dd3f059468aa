//! Beyond the course: black-box tests of the sharded key/value service that the course's
//! tests do not have. They catch classic mistakes the course's tests let through or
//! catch only rarely (each one named in `lab5-shardkv/mutants.txt`, where
//! `scripts/mutants.sh` measures it), through the tester's public API only, so they judge
//! a student's groups as they judge ours.
//!
//! Names start with `beyond_` (no course name is taken, and `scripts/grade.sh` reports
//! them apart); each ends with the sub-lab it needs.

use common::sim::{self, RngExt};
use lab5_shardkv::shardkv::tester::{Appenders, Keys, Tester};
use std::time::Duration;

const N: usize = 10;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Shards must arrive once, however often their pull is retried: while appenders write
/// to every key, groups join and leave, and each time the leader of the group that gains
/// shards crashes at a random moment within 60 ms after it takes the new configuration
/// (while it pulls and installs them), then restarts. A leader that crashes after its
/// installation entry reached a follower leaves it to the next leader, which may pull and
/// propose the shards again before it applies the first entry; installing the second copy
/// over a shard already served puts the frozen copy back over the writes made since, and
/// they are lost.
#[test]
fn beyond_shards_arrive_once_when_leaders_crash_5b() {
    sim::run(|| async {
        let t = Tester::new(false, Some(300));
        t.begin("Beyond (5B): shards arrive once when leaders crash");
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let mut keys = Keys::put(&mut ck, N, 1).await;
        let appenders = Appenders::start(&t, &keys, 1, None);
        for round in 0..100 {
            // Which group gains shards.
            let gainer = match round % 4 {
                0 => {
                    t.join(1).await;
                    1
                }
                1 => {
                    t.join(2).await;
                    2
                }
                2 => {
                    t.leave(1).await;
                    if sim::rng(|r| r.random_bool(0.5)) {
                        0
                    } else {
                        2
                    }
                }
                _ => {
                    t.leave(2).await;
                    0
                }
            };
            let reached = t.group_configs()[gainer];
            for _ in 0..2000 {
                if t.group_configs()[gainer] > reached {
                    break;
                }
                sim::sleep(ms(1)).await;
            }
            sim::sleep(ms(sim::rng(|r| r.random_range(0..60)))).await;
            if let Some(i) = t.group_leader(gainer) {
                t.shutdown_server(gainer, i);
                sim::sleep(ms(sim::rng(|r| r.random_range(100..400)))).await;
                t.start_server(gainer, i);
            }
            sim::sleep(ms(sim::rng(|r| r.random_range(0..300)))).await;
        }
        sim::sleep(Duration::from_secs(2)).await;
        appenders.finish();
        appenders.wait(&mut keys).await;
        keys.check_all(&mut ck).await;
        t.end();
        t.cleanup();
    });
}
