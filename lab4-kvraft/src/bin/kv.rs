//! `kv`: the Lab 4 clerk as a command: one operation against a real cluster of
//! `kvraft-server`s, their status, the fault hook, or a load benchmark.

use clap::{Parser, Subcommand};
use common::labrpc::ClientEnd;
use common::net::process::{self, Addrs};
use common::net::{CallConfig, ClusterKey, admin};
use common::sim::{self, RngExt};
use lab4_kvraft::Clerk;
use lab4_kvraft::real::{self, ClientArgs};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const PROG: &str = "kv";

/// A client of a kvraft-server cluster.
#[derive(Parser)]
#[command(name = PROG, version)]
struct Args {
    /// The cluster's servers, in peer order
    #[arg(long, value_name = "HOST:PORT,...", value_parser = process::addrs)]
    servers: Addrs,
    #[command(flatten)]
    client: ClientArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print KEY's value (empty if it has none)
    Get { key: String },
    /// Set KEY to VALUE
    Put { key: String, value: String },
    /// Append VALUE to KEY's value
    Append { key: String, value: String },
    /// Each server's role, term, commit index, log and snapshot
    Status,
    /// Cut server I off from these peers (none: heal it); servers started with --allow-faults
    Isolate {
        /// The server's index in --servers
        server: usize,
        /// The peers it may no longer reach
        peers: Vec<u32>,
    },
    /// Puts of small values from many clients at once: throughput and latency
    Bench {
        /// Clients at once
        #[arg(long, default_value = "1", value_parser = clap::value_parser!(u64).range(1..=1024))]
        clients: u64,
        /// How long to run
        #[arg(long, default_value = "5", value_parser = clap::value_parser!(u64).range(1..=3600))]
        seconds: u64,
        /// Bytes per value
        #[arg(long, default_value = "16", value_parser = clap::value_parser!(u64).range(0..=1 << 20))]
        value_bytes: u64,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let client = args.client.clone();
    let extra = match args.command {
        Command::Bench { seconds, .. } => Duration::from_secs(seconds),
        _ => Duration::ZERO,
    };
    real::client_main(PROG, &client, extra, |key| run(args, key))
}

async fn run(args: Args, key: Arc<ClusterKey>) -> Result<(), String> {
    let servers = args.servers.0;
    let ends = process::client_ends(&servers, &key, &CallConfig::default());
    match args.command {
        Command::Get { key } => println!("{}", Clerk::new(ends).get(&key).await),
        Command::Put { key, value } => Clerk::new(ends).put(&key, &value).await,
        Command::Append { key, value } => Clerk::new(ends).append(&key, &value).await,
        Command::Status => status(&servers, &ends).await,
        Command::Isolate { server, peers } => {
            let end = ends.get(server).ok_or_else(|| {
                format!(
                    "server {server} is not an index of the {} servers",
                    servers.len()
                )
            })?;
            end.call(admin::ISOLATE, &peers)
                .await
                .map_err(|e| format!("{}: {e}", servers[server]))?
                .map_err(|e| format!("{}: {e}", servers[server]))?;
        }
        Command::Bench {
            clients,
            seconds,
            value_bytes,
        } => {
            bench(
                ends,
                clients,
                Duration::from_secs(seconds),
                value_bytes as usize,
            )
            .await
        }
    }
    Ok(())
}

async fn status(servers: &[String], ends: &[ClientEnd]) {
    println!(
        "{:<4} {:<22} {:<9} {:>6} {:>8} {:>8} {:>9} {:>11} {:>10} {:>8}  isolated from",
        "peer",
        "address",
        "role",
        "term",
        "commit",
        "last",
        "snap idx",
        "state B",
        "snap B",
        "saves"
    );
    let asks = ends.iter().map(|end| end.call(admin::STATUS, &()));
    let answers = futures::future::join_all(asks).await;
    for (i, (addr, answer)) in servers.iter().zip(answers).enumerate() {
        match answer {
            Ok(s) => println!(
                "{:<4} {:<22} {:<9} {:>6} {:>8} {:>8} {:>9} {:>11} {:>10} {:>8}  {:?}",
                s.me,
                addr,
                if s.leader { "leader" } else { "follower" },
                s.term,
                s.commit_index,
                s.last_log_index,
                s.last_included_index,
                s.raft_state_bytes,
                s.snapshot_bytes,
                s.saves,
                s.isolated
            ),
            Err(e) => println!("{i:<4} {addr:<22} down      ({e})"),
        }
    }
}

#[allow(clippy::disallowed_methods)] // a benchmark of a real cluster reads the real clock
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

async fn bench(ends: Vec<ClientEnd>, clients: u64, run_for: Duration, value_bytes: usize) {
    let start = now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let ends = ends.clone();
            sim::spawn(async move {
                let mut clerk = Clerk::new(ends);
                let value: String = "v".repeat(value_bytes);
                let mut latencies = Vec::new();
                while start.elapsed() < run_for {
                    let key = format!("bench-{c}-{}", sim::rng(|r| r.random_range(0..100u32)));
                    let t = now();
                    clerk.put(&key, &value).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap_or_default());
    }
    let secs = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "clients {clients}  puts {}  in {secs:.1} s  throughput {:.0} ops/s  p50 {:.2} ms  p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / secs,
        at(0.50),
        at(0.99)
    );
}
