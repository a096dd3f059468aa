//! Demo of Lab 5: three replica groups of three servers each share ten shards, under
//! client load, while groups join and leave (shards move between them), a whole group
//! crashes and restarts, and the network drops and delays messages. At the end every
//! client operation goes to the linearizability checker.
//!
//! `cargo run -p lab5-shardkv --example shardkv_demo` (add `LAB_SEED=<n>` to replay a run exactly).

use common::sim::{self, Builder, RngExt};
use lab5_shardkv::shardkv::tester::{GIDS, Tester};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const CLIENTS: u64 = 5;
const KEYS: usize = 10;

/// One step of the membership schedule.
enum Step {
    Join(usize),
    Leave(usize),
    Crash(usize),
    Restart(usize),
}

/// The schedule: every group joins and leaves at least once, and one crashes.
const SCHEDULE: &[Step] = &[
    Step::Join(1),
    Step::Join(2),
    Step::Leave(0),
    Step::Crash(1),
    Step::Join(0),
    Step::Restart(1),
    Step::Leave(1),
    Step::Leave(2),
    Step::Join(1),
];

fn main() {
    let done = Builder::from_env()
        .try_run(|| async {
            let t = Arc::new(Tester::new(true, Some(1000)));
            t.begin("Demo: 3 groups x 3 servers, 10 shards, 5 clients, unreliable network");
            let mut log = Vec::new();
            t.join(0).await;
            log.push(event(&t, "group 100 joins").await);

            let stop = Arc::new(AtomicBool::new(false));
            let clients: Vec<_> = (0..CLIENTS)
                .map(|id| tokio::spawn(client(t.clone(), stop.clone(), id)))
                .collect();
            for step in SCHEDULE {
                sim::sleep(Duration::from_millis(sim::rng(|r| {
                    r.random_range(700..1300)
                })))
                .await;
                let what = match *step {
                    Step::Join(gi) => {
                        t.join(gi).await;
                        format!("group {} joins", GIDS[gi])
                    }
                    Step::Leave(gi) => {
                        t.leave(gi).await;
                        format!("group {} leaves", GIDS[gi])
                    }
                    Step::Crash(gi) => {
                        t.shutdown_group(gi);
                        format!("group {} crashes (all 3 servers)", GIDS[gi])
                    }
                    Step::Restart(gi) => {
                        t.start_group(gi);
                        format!("group {} restarts", GIDS[gi])
                    }
                };
                log.push(event(&t, &what).await);
            }
            sim::sleep(Duration::from_secs(2)).await;
            stop.store(true, Ordering::Relaxed);
            t.net().set_reliable(true);
            let mut ops = 0;
            for c in clients {
                ops += c.await.expect("client task");
            }
            let reached = t.group_configs();
            let stored = t.persisted_total();
            let rpcs = t.net().total_count();
            let (verdict, checked) = t.check_linearizable();
            t.cleanup();
            (log, ops, reached, stored, rpcs, verdict.result, checked)
        })
        .unwrap_or_else(|f| {
            eprintln!("{}", sim::failure_report(&f));
            std::process::exit(1)
        });
    let (timing, replay) = (
        done.timing(),
        done.replay("cargo run -p lab5-shardkv --example shardkv_demo"),
    );
    let (log, ops, reached, stored, rpcs, result, checked) = done.value;
    println!("time    event                               configuration: shard 0..9 -> gid");
    for line in &log {
        println!("{line}");
    }
    println!(
        "configuration each group reached: {:?}",
        GIDS.iter().zip(&reached).collect::<Vec<_>>()
    );
    println!("{ops} client operations, {rpcs} RPCs; {stored} bytes stored by all 9 servers");
    println!("linearizability check of {checked} operations: {result:?}");
    println!("{timing}");
    println!("{replay}");
}

/// A line of the event log: the time, the event, and the controller's configuration
/// after it.
async fn event(t: &Tester, what: &str) -> String {
    let config = t.query().await;
    let shards: Vec<String> = config.shards.iter().map(u64::to_string).collect();
    format!(
        "{:5.1} s  {what:<34}  {:>2}: {}",
        sim::now().as_secs_f64(),
        config.num,
        shards.join(" ")
    )
}

/// A client: Appends, Puts and Gets on random keys until told to stop; returns how many
/// operations it did.
async fn client(t: Arc<Tester>, stop: Arc<AtomicBool>, id: u64) -> u64 {
    let mut ck = t.make_client(t.ctrlers());
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let key = sim::rng(|r| r.random_range(0..KEYS)).to_string();
        let value = format!("[{id}.{n}]");
        match sim::rng(|r| r.random_range(0..10)) {
            0 => t.put(&mut ck, &key, &value, id).await,
            1..=5 => t.append(&mut ck, &key, &value, id).await,
            _ => {
                t.get(&mut ck, &key, id).await;
            }
        }
        n += 1;
    }
    n
}
