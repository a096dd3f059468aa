//! `shardkv`: the Lab 5 clerks as a command, against a real cluster of
//! `shardctrler-server`s and `shardkv-server` groups: the controller's join, leave, query
//! and move, and the service's get, put and append.

use clap::{Parser, Subcommand};
use common::net::process::{self, Addrs};
use common::net::{CallConfig, ClusterKey, admin};
use lab4_kvraft::real::{self, ClientArgs, Reach};
use lab5_shardkv::{Clerk, ctrler};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const PROG: &str = "shardkv";

/// A client of a sharded key/value cluster.
#[derive(Parser)]
#[command(name = PROG, version)]
struct Args {
    /// The shard controller's servers
    #[arg(long, value_name = "HOST:PORT,...", value_parser = process::addrs)]
    ctrlers: Addrs,
    #[command(flatten)]
    client: ClientArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add groups: GID=HOST:PORT,HOST:PORT,... (their servers, in peer order)
    Join {
        #[arg(required = true, value_parser = group)]
        groups: Vec<(u64, Vec<String>)>,
    },
    /// Remove groups; their shards move to the others
    Leave {
        #[arg(required = true, value_parser = clap::value_parser!(u64).range(1..))]
        gids: Vec<u64>,
    },
    /// Print configuration NUM [default: the latest]
    Query { num: Option<u64> },
    /// Give shard SHARD to group GID
    Move {
        shard: usize,
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        gid: u64,
    },
    /// Print KEY's value (empty if it has none)
    Get { key: String },
    /// Set KEY to VALUE
    Put { key: String, value: String },
    /// Append VALUE to KEY's value
    Append { key: String, value: String },
    /// Every controller's and every group server's role, term, commit index and sizes
    Status,
}

/// Parses `GID=HOST:PORT,...`.
fn group(arg: &str) -> Result<(u64, Vec<String>), String> {
    let (gid, servers) = arg
        .split_once('=')
        .ok_or_else(|| format!("{arg:?} is not GID=HOST:PORT,..."))?;
    let gid: u64 = gid
        .parse()
        .ok()
        .filter(|g| *g > 0)
        .ok_or_else(|| format!("{gid:?} is not a group id (1 or more)"))?;
    Ok((gid, process::parse_addrs(servers)?))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let client = args.client.clone();
    real::client_main(PROG, &client, Duration::ZERO, |key| run(args, key))
}

async fn run(args: Args, key: Arc<ClusterKey>) -> Result<(), String> {
    let config = CallConfig::default();
    let ctrlers = process::client_ends(&args.ctrlers.0, &key, &config);
    let make_end = Reach::new(key.clone()).make_end();
    let mut admin_clerk = ctrler::Clerk::new(ctrlers.clone());
    match args.command {
        Command::Join { groups } => {
            let groups: BTreeMap<u64, Vec<String>> = groups.into_iter().collect();
            admin_clerk.join(groups).await;
        }
        Command::Leave { gids } => admin_clerk.leave(gids).await,
        Command::Query { num } => {
            let num = num.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
            let config = admin_clerk.query(num).await;
            println!("configuration {}", config.num);
            println!("shards: {:?}", config.shards);
            for (gid, servers) in &config.groups {
                println!("group {gid}: {}", servers.join(","));
            }
        }
        Command::Move { shard, gid } => {
            if shard >= lab5_shardkv::N_SHARDS {
                return Err(format!(
                    "shard {shard}: there are {} shards",
                    lab5_shardkv::N_SHARDS
                ));
            }
            admin_clerk.move_shard(shard, gid).await;
        }
        Command::Get { key } => println!("{}", Clerk::new(ctrlers, make_end).get(&key).await),
        Command::Put { key, value } => Clerk::new(ctrlers, make_end).put(&key, &value).await,
        Command::Append { key, value } => Clerk::new(ctrlers, make_end).append(&key, &value).await,
        Command::Status => {
            let latest = admin_clerk.query(-1).await;
            let mut rows = vec![("ctrler".to_string(), args.ctrlers.0.clone())];
            for (gid, servers) in &latest.groups {
                rows.push((format!("group {gid}"), servers.clone()));
            }
            println!("configuration {}: shards {:?}", latest.num, latest.shards);
            for (what, servers) in rows {
                let ends = process::client_ends(&servers, &key, &config);
                for (addr, end) in servers.iter().zip(ends) {
                    match end.call(admin::STATUS, &()).await {
                        Ok(s) => println!(
                            "{what:<9} {addr:<22} {:<9} term {:>5}  commit {:>7}  log to {:>7}  snapshot to {:>7}  state {:>9} B  snapshot {:>9} B",
                            if s.leader { "leader" } else { "follower" },
                            s.term,
                            s.commit_index,
                            s.last_log_index,
                            s.last_included_index,
                            s.raft_state_bytes,
                            s.snapshot_bytes
                        ),
                        Err(e) => println!("{what:<9} {addr:<22} down ({e})"),
                    }
                }
            }
        }
    }
    Ok(())
}
