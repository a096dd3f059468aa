//! `kvraft-server`: one replica of the Lab 4 key/value service as a real process: the
//! same `KvServer` and Raft the tests run, over TCP (`common::net`) with its state on disk
//! (`FilePersister`). `scripts/cluster.sh` starts and stops them.

use clap::Parser;
use lab4_kvraft::KvServer;
use lab4_kvraft::real::{self, ServerArgs};
use std::process::ExitCode;

/// One replica of the Lab 4 key/value service: serves clients and its Raft peers on its
/// own address of --peers, keeps its Raft state and snapshot in --data. Stops on SIGTERM
/// or Ctrl-C; a SIGKILL loses nothing it acknowledged.
#[derive(Parser)]
#[command(name = "kvraft-server", version)]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    /// Snapshot once the saved Raft state reaches this many bytes [default: never]
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..=1 << 40))]
    max_raft_state: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let max_raft_state = args.max_raft_state.map(|b| b as usize);
    real::run_server("kvraft-server", 0, args.server, |ends, me, persister, _| {
        KvServer::start(ends, me, persister, max_raft_state)
    })
}
