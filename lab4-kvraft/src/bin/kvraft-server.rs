//! `kvraft-server`: one replica of the Lab 4 key/value service as a real process: the
//! same `KvServer` and Raft the tests run, over TCP (`common::net`) with its state on disk
//! (`FilePersister`). `scripts/cluster.sh` starts and stops them.

use clap::Parser;
use common::labrpc::Server;
use common::net::process::{self, Addrs};
use common::net::{CallConfig, ClusterKey, Faults, ServeConfig, TcpServer, admin};
use common::persister::{Durability, FilePersister, Persister};
use lab4_kvraft::KvServer;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const PROG: &str = "kvraft-server";

/// One replica of the Lab 4 key/value service: serves clients and its Raft peers on its
/// own address of --peers, keeps its Raft state and snapshot in --data. Stops on SIGTERM
/// or Ctrl-C; a SIGKILL loses nothing it acknowledged.
#[derive(Parser)]
#[command(name = PROG, version)]
struct Args {
    /// This server's index in --peers (0 for the first)
    #[arg(long, value_name = "I")]
    me: u32,
    /// Every server of the cluster in peer order, this one included
    #[arg(long, value_name = "HOST:PORT,...", value_parser = process::addrs)]
    peers: Addrs,
    /// Directory of this server's Raft state and snapshot (made if missing)
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Snapshot once the saved Raft state reaches this many bytes [default: never]
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..=1 << 40))]
    max_raft_state: Option<u64>,
    /// The cluster key: a file readable by its owner only, of at least 16 bytes
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Whether each save waits for the disk (off: faster, lost on a power cut)
    #[arg(long, value_name = "on|off", default_value = "on", value_parser = ["on", "off"])]
    fsync: String,
    /// Let holders of the key cut this server off from peers (tests, cluster.sh partition)
    #[arg(long)]
    allow_faults: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let peers = args.peers.0.clone();
    if args.me as usize >= peers.len() {
        let mut cmd = <Args as clap::CommandFactory>::command();
        cmd.error(
            clap::error::ErrorKind::ValueValidation,
            format!(
                "--me {} is not an index of the {} peers",
                args.me,
                peers.len()
            ),
        )
        .exit();
    }
    let key = match ClusterKey::from_file(&args.key) {
        Ok(key) => Arc::new(key),
        Err(e) => return fail(&e),
    };
    let durability = if args.fsync == "on" {
        Durability::Synced
    } else {
        Durability::Buffered
    };
    let persister = match FilePersister::open(&args.data, durability) {
        Ok(p) => Arc::new(p),
        Err(e) => return fail(&e.to_string()),
    };
    match process::run(|| serve(args, peers, key, persister)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => fail(&e),
        Err(stopped) => {
            eprintln!("{PROG}: stopped: {stopped}");
            ExitCode::from(70)
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{PROG}: {message}");
    ExitCode::FAILURE
}

async fn serve(
    args: Args,
    peers: Vec<String>,
    key: Arc<ClusterKey>,
    persister: Arc<FilePersister>,
) -> Result<(), String> {
    let me = args.me;
    let faults = Faults::new();
    let ends = process::peer_ends(&peers, me, &key, &faults, &CallConfig::default());
    let max_raft_state = args.max_raft_state.map(|b| b as usize);
    let kv = KvServer::start(ends, me as usize, persister.clone(), max_raft_state);
    if kv.raft().killed() {
        return Err(format!(
            "the Raft state in {} does not restore (RUST_LOG=error shows why)",
            args.data.display()
        ));
    }
    let server = Server::new();
    for service in kv.services() {
        server.add_service(service);
    }
    let (status_kv, status_p) = (kv.clone(), persister.clone());
    let status = move || {
        let raft = status_kv.raft();
        let (term, leader) = raft.get_state();
        admin::Status {
            me,
            gid: 0,
            term,
            leader,
            commit_index: raft.commit_index(),
            last_log_index: raft.last_log_index(),
            last_included_index: raft.last_included_index(),
            raft_state_bytes: status_p.raft_state_size() as u64,
            snapshot_bytes: status_p.snapshot_size() as u64,
            saves: status_p.saves(),
            isolated: Vec::new(),
        }
    };
    let hook = args.allow_faults.then(|| faults.clone());
    server.add_service(admin::service(status, hook.clone()));
    let mut config = ServeConfig::new(key, peers.len() as u32, Some(me));
    config.faults = hook;
    let listen = &peers[me as usize];
    let tcp = TcpServer::start(listen, server, config)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!(
        "{PROG}: peer {me} of {} listening on {}, data in {} ({} saves so far)",
        peers.len(),
        tcp.local_addr(),
        args.data.display(),
        persister.saves()
    );
    process::stop_signal().await;
    eprintln!("{PROG}: peer {me} stopping");
    kv.kill();
    drop(tcp);
    Ok(())
}
