//! Demo of the 2026 Lab 5: a controller moves shards between groups of three servers by
//! freezing, installing and deleting them, under client load on an unreliable network.
//! Mid-change the controller is cut off (the group it was moving shards to is down), a
//! second controller finishes its change and goes on, and the first comes back, overtaken:
//! B leads now, so A posts nothing more; what it still sends for its old change is a
//! repeat the groups answer without changing anything, or a stale request they refuse. At the end every key written before reads at
//! version 1, and every client operation goes to the linearizability checker.
//!
//! `cargo run -p lab5-shardkv-2026 --example shardkv1_demo` (add `LAB_SEED=<n>` to
//! replay a run exactly).

use common::kvtest::rpc::KvErr;
use common::kvtest::{KvClerk, make_keys, randstring};
use common::sim::{self, Builder};
use common::tester1::server_name;
use lab5_shardkv_2026::shardcfg::{GID1, ShardConfig};
use lab5_shardkv_2026::shardctrler::KEY;
use lab5_shardkv_2026::shardctrler::decide::Stored;
use lab5_shardkv_2026::tester::{NKEYS, Test};
use std::sync::Arc;
use std::time::Duration;

const CLIENTS: usize = 3;

fn main() {
    let done = Builder::from_env()
        .try_run(|| async {
            let t = Test::new(
                "Demo: shard groups of 3 servers, 12 shards, 3 clients, 2 controllers",
                false,
            );
            let mut log = Vec::new();
            t.setup_kv_service().await;
            let ck = t.make_clerk();
            // Unrecorded, so that the history checked at the end is the clients' alone.
            let keys = make_keys(NKEYS);
            let values: Vec<String> = keys.iter().map(|_| randstring(20)).collect();
            for (k, v) in keys.iter().zip(&values) {
                ck.clerk().put(k, v, 0).await;
            }
            log.push(event(&t, "group 1 serves all 12 shards; 60 keys put").await);
            let clients = {
                let ts = t.ts.clone();
                // Not one of the 60 keys, which must keep version 1.
                let k = Arc::new(vec!["clients".to_string()]);
                sim::spawn(async move {
                    ts.spawn_clients_and_wait(
                        CLIENTS,
                        Duration::from_secs(12),
                        move |ts, cli, ck, done| {
                            let keys = k.clone();
                            async move { ts.one_client_put(cli, &ck, &keys, &done).await }
                        },
                    )
                    .await
                })
            };
            let (a, a_clnt) = t.make_shard_ctrler_clnt();
            a.init_controller().await;
            for _ in 0..2 {
                let gid = t.new_gid();
                t.join_groups(&a, &[gid]).await;
                log.push(event(&t, &format!("controller A: group {gid} joins")).await);
            }
            // A leave whose shards go to a group that is down: A freezes them at group 1
            // and waits to install them.
            let down = 2;
            t.group(down).shutdown();
            log.push(event(&t, &format!("group {down} crashes (all 3 servers)")).await);
            let stuck = {
                let (t, a) = (t.clone(), a.clone());
                sim::spawn(async move { t.leave(&a, GID1).await })
            };
            sim::sleep(Duration::from_secs(1)).await;
            log.push(event(&t, "controller A: group 1 leaves, stuck").await);
            a_clnt.disconnect_all();
            t.group(down).start_servers();
            log.push(event(&t, "A is cut off; group 2 restarts").await);
            let b = t.make_shard_ctrler();
            b.init_controller().await;
            log.push(event(&t, "controller B takes the lead, finishes A's leave").await);
            let gid = t.new_gid();
            t.join_groups(&b, &[gid]).await;
            log.push(event(&t, &format!("controller B: group {gid} joins")).await);
            a_clnt.connect_all();
            sim::waiting("controller A's leave", stuck)
                .await
                .expect("controller A's leave");
            log.push(event(&t, "A comes back, overtaken: it changes nothing").await);
            sim::waiting("the clients", clients)
                .await
                .expect("the clients");
            t.cfg.set_reliable(true);
            for (k, v) in keys.iter().zip(&values) {
                let (got, version, err) = ck.clerk().get(k).await;
                assert!(
                    err == KvErr::Ok && got == *v && version == 1,
                    "Get({k}) = ({got}, {version}, {err})"
                );
            }
            let rpcs = t.cfg.rpc_total();
            let ops = t.ts.recorded();
            t.ts.check_porcupine();
            t.cleanup();
            (log, rpcs, ops)
        })
        .unwrap_or_else(|f| {
            eprintln!("{}", sim::failure_report(&f));
            std::process::exit(1)
        });
    let (timing, replay) = (
        done.timing(),
        done.replay("cargo run -p lab5-shardkv-2026 --example shardkv1_demo"),
    );
    let (log, rpcs, ops) = done.value;
    println!(
        "time    event                                            current  next   shard 0..11 -> gid"
    );
    for line in &log {
        println!("{line}");
    }
    println!("{NKEYS} keys read back at version 1; {rpcs} RPCs");
    println!("linearizability check of {ops} recorded operations: ok");
    println!("{timing}");
    println!("{replay}");
}

/// A line of the event log: the time, the event, the numbers of the controllers' current
/// and next configurations, and the current one's shards.
async fn event(t: &Test, what: &str) -> String {
    let kv = lab2_kvsrv_2026::Clerk::new(t.cfg.make_client(), &server_name(0, 0));
    let (value, _, err) = kv.get(KEY).await;
    let stored = (err == KvErr::Ok)
        .then(|| serde_json::from_str::<Stored>(&value).ok())
        .flatten();
    let (current, next) = stored.map_or_else(
        || (ShardConfig::new(), "-".to_string()),
        |s| (s.current, s.next.num.to_string()),
    );
    let shards: Vec<String> = current.shards.iter().map(u64::to_string).collect();
    format!(
        "{:5.1} s  {what:<48}  {:>3}  {next:>4}   {}",
        sim::now().as_secs_f64(),
        current.num,
        shards.join(" ")
    )
}
