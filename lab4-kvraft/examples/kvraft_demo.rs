//! Demo of Lab 4: a 5-server key/value cluster on Raft, in simulation, with clients
//! working while servers crash and restart and partitions come and go; then the whole
//! history goes to the linearizability checker.
//!
//! `cargo run -p lab4-kvraft --example kvraft_demo` (add `LAB_SEED=<n>` to replay a run exactly).

use common::sim::{self, Builder, RngExt};
use lab4_kvraft::tester::Tester;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const SERVERS: usize = 5;
const CLIENTS: usize = 5;
const KEYS: usize = 3;
const RUN: Duration = Duration::from_secs(12);

fn main() {
    let done = Builder::from_env()
        .try_run(|| async {
            let tester = Arc::new(Tester::new(SERVERS, false, Some(1000)));
            tester.begin("Demo: 5 servers, 5 clients, crashes and partitions, snapshots on");
            let stop = Arc::new(AtomicBool::new(false));
            let clients: Vec<_> = (0..CLIENTS)
                .map(|c| tokio::spawn(client(tester.clone(), stop.clone(), c as u64)))
                .collect();
            let faults = nemesis(&tester).await;
            stop.store(true, Ordering::Relaxed);
            for client in clients {
                client.await.expect("client task");
            }
            let mut reader = tester.make_client(&tester.all());
            let mut finals = Vec::new();
            for k in 0..KEYS {
                let value = tester.get(&mut reader, &k.to_string(), 99).await;
                finals.push(value.len());
            }
            let ops = tester.ops();
            let rpcs = tester.net().total_count();
            let (verdict, checked) = tester.check_linearizable();
            tester.cleanup();
            (faults, ops, rpcs, finals, verdict.result, checked)
        })
        .unwrap_or_else(|f| {
            eprintln!("{}", sim::failure_report(&f));
            std::process::exit(1)
        });
    let (timing, replay) = (
        done.timing(),
        done.replay("cargo run -p lab4-kvraft --example kvraft_demo"),
    );
    let (faults, ops, rpcs, finals, result, checked) = done.value;
    println!("faults injected:");
    for f in &faults {
        println!("  {f}");
    }
    println!(
        "{ops} client operations, {rpcs} RPCs; final value lengths of keys 0..{KEYS}: {finals:?}"
    );
    println!("linearizability check of {checked} operations: {result:?}");
    println!("{timing}");
    println!("{replay}");
}

/// A client: Appends, Puts and Gets on a few shared keys until told to stop.
async fn client(tester: Arc<Tester>, stop: Arc<AtomicBool>, id: u64) {
    let mut client = tester.make_client(&tester.all());
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let key = sim::rng(|r| r.random_range(0..KEYS)).to_string();
        match sim::rng(|r| r.random_range(0..10)) {
            0 => {
                tester
                    .put(&mut client, &key, &format!("[{id}.{n}]"), id)
                    .await
            }
            1..=5 => {
                tester
                    .append(&mut client, &key, &format!("[{id}.{n}]"), id)
                    .await
            }
            _ => {
                tester.get(&mut client, &key, id).await;
            }
        }
        n += 1;
    }
    tester.delete_client(client);
}

/// Every second or so: partition the servers at random, heal, crash a server, or restart
/// the crashed ones. Ends with everything healed and running. Returns what it did.
async fn nemesis(tester: &Tester) -> Vec<String> {
    let mut log = Vec::new();
    let mut down: Vec<usize> = Vec::new();
    let started = sim::now();
    while sim::now() - started < RUN {
        sim::sleep(Duration::from_millis(sim::rng(|r| {
            r.random_range(700..1300)
        })))
        .await;
        let at = sim::now().as_secs_f64();
        match sim::rng(|r| r.random_range(0..4)) {
            0 => {
                let mut groups = [Vec::new(), Vec::new()];
                for i in 0..SERVERS {
                    groups[sim::rng(|r| r.random_range(0..2))].push(i);
                }
                tester.cluster().partition(&groups[0], &groups[1]);
                log.push(format!(
                    "{at:5.1} s  partition {:?} | {:?}",
                    groups[0], groups[1]
                ));
            }
            1 => {
                tester.cluster().connect_all();
                log.push(format!("{at:5.1} s  heal"));
            }
            2 if down.len() < 2 => {
                let i = sim::rng(|r| r.random_range(0..SERVERS));
                if !down.contains(&i) {
                    tester.cluster().shutdown_server(i);
                    down.push(i);
                    log.push(format!("{at:5.1} s  crash server {i}"));
                }
            }
            _ => {
                for i in down.drain(..) {
                    tester.cluster().start_server(i);
                    log.push(format!("{at:5.1} s  restart server {i}"));
                }
                tester.cluster().connect_all();
            }
        }
    }
    for i in down.drain(..) {
        tester.cluster().start_server(i);
        log.push(format!(
            "{:5.1} s  restart server {i}",
            sim::now().as_secs_f64()
        ));
    }
    tester.cluster().connect_all();
    log.push(format!("{:5.1} s  heal all", sim::now().as_secs_f64()));
    log
}
