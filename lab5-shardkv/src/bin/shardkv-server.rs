//! `shardkv-server`: one replica of a Lab 5 shard group as a real process, over TCP with
//! its state on disk. It follows the controllers' configurations and moves shards to and
//! from the other groups' servers, which the configurations name by address.

use clap::Parser;
use common::net::process::{self, Addrs};
use lab4_kvraft::real::{self, ServerArgs};
use lab5_shardkv::ShardKv;
use std::process::ExitCode;

/// One replica of shard group --gid: serves the shards the controllers give the group.
/// Stops on SIGTERM or Ctrl-C.
#[derive(Parser)]
#[command(name = "shardkv-server", version)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// The group's id (1 or more; 0 means "no group" in a configuration)
    #[arg(long, value_name = "G", value_parser = clap::value_parser!(u64).range(1..))]
    gid: u64,
    /// The shard controller's servers
    #[arg(long, value_name = "HOST:PORT,...", value_parser = process::addrs)]
    ctrlers: Addrs,
    /// Snapshot once the saved Raft state reaches this many bytes [default: never]
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..=1 << 40))]
    max_raft_state: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (gid, ctrlers) = (args.gid, args.ctrlers.0);
    let max_raft_state = args.max_raft_state.map(|b| b as usize);
    real::run_server(
        "shardkv-server",
        gid,
        args.server,
        move |ends, me, persister, reach| {
            ShardKv::start(
                ends,
                me,
                persister,
                max_raft_state,
                gid,
                reach.ends(&ctrlers),
                reach.make_end(),
            )
        },
    )
}
