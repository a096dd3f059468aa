//! `shardctrler-server`: one replica of the Lab 5 shard controller as a real process,
//! over TCP with its state on disk.

use clap::Parser;
use lab4_kvraft::real::{self, ServerArgs};
use lab5_shardkv::ctrler::ShardCtrler;
use std::process::ExitCode;

/// One replica of the shard controller: keeps the numbered configurations that say which
/// group serves each shard. Stops on SIGTERM or Ctrl-C.
#[derive(Parser)]
#[command(name = "shardctrler-server", version)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    real::run_server(
        "shardctrler-server",
        0,
        args.server,
        |ends, me, persister, _| ShardCtrler::start(ends, me, persister),
    )
}
