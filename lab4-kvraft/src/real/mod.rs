//! What the real cluster's binaries share (`kvraft-server` and `kv` here; Lab 5's
//! `shardctrler-server`, `shardkv-server` and `shardkv`): the command line of a Raft
//! replica, its state on disk, its ends over TCP, the `Admin` service, and a life that
//! ends on SIGTERM; a client's key, time limit and exit codes. Each binary only says
//! which replica it starts, or what its command does.

use clap::Args;
use common::labrpc::{ClientEnd, Server, Service};
use common::net::process::{self, Addrs};
use common::net::{
    CallConfig, ClusterKey, Faults, ServeConfig, TcpServer, TcpTransport, Who, admin,
};
use common::persister::{Durability, FilePersister, Persister};
use lab3_raft::Raft;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// A replica a server binary runs: a service on a Raft peer.
pub trait Replica {
    /// Its Raft peer.
    fn raft(&self) -> &Raft;
    /// The services to serve: its own and `Raft`.
    fn services(&self) -> Vec<Service>;
    /// Stops it.
    fn kill(&self);
}

impl Replica for crate::KvServer {
    fn raft(&self) -> &Raft {
        crate::KvServer::raft(self)
    }
    fn services(&self) -> Vec<Service> {
        crate::KvServer::services(self)
    }
    fn kill(&self) {
        crate::KvServer::kill(self)
    }
}

/// The command line every replica's server shares.
#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// This server's index in --peers (0 for the first)
    #[arg(long, value_name = "I")]
    pub me: u32,
    /// Every server of its Raft group in peer order, this one included
    #[arg(long, value_name = "HOST:PORT,...", value_parser = process::addrs)]
    pub peers: Addrs,
    /// Directory of this server's Raft state and snapshot (made if missing)
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The cluster key: a file readable by its owner only, of at least 16 bytes
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Whether each save waits for the disk (off: faster, lost on a power cut)
    #[arg(long, value_name = "on|off", default_value = "on", value_parser = ["on", "off"])]
    pub fsync: String,
    /// Let holders of the key cut this server off from peers (tests, cluster.sh partition)
    #[arg(long)]
    pub allow_faults: bool,
}

/// The command line every client binary shares (`kv`, Lab 5's `shardkv`), besides where
/// its servers are.
#[derive(Args, Debug, Clone)]
pub struct ClientArgs {
    /// The cluster key file
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Give up on the command after this many seconds without an answer (beyond the
    /// time a benchmark is asked to run)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub timeout: u64,
}

/// A client binary's whole life: reads the cluster key, runs `body` with it on the real
/// clock, within the time limit (plus `extra`, a benchmark's own duration), and turns
/// the outcome into the exit code: 0 done, 1 an error or no answer in time (printed after
/// `prog:`), 70 a task that panicked.
pub fn client_main<F, Fut>(prog: &str, args: &ClientArgs, extra: Duration, body: F) -> ExitCode
where
    F: FnOnce(Arc<ClusterKey>) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let key = match ClusterKey::from_file(&args.key) {
        Ok(key) => Arc::new(key),
        Err(e) => return fail(prog, &e),
    };
    let limit = Duration::from_secs(args.timeout);
    let ran = process::run(|| async move {
        tokio::time::timeout(limit + extra, body(key))
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {limit:?}")))
    });
    match ran {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => fail(prog, &e),
        Err(stopped) => {
            eprintln!("{prog}: stopped: {stopped}");
            ExitCode::from(70)
        }
    }
}

/// What a replica's start gets besides its Raft ends and persister: how to reach other
/// servers (Lab 5's groups and controllers) as a client with the cluster key.
#[derive(Clone)]
pub struct Reach {
    key: Arc<ClusterKey>,
}

impl Reach {
    /// Reaching servers with this cluster key.
    pub fn new(key: Arc<ClusterKey>) -> Reach {
        Reach { key }
    }

    /// Ends to `servers` (a controller group, say), as a client.
    pub fn ends(&self, servers: &[String]) -> Vec<ClientEnd> {
        process::client_ends(servers, &self.key, &CallConfig::default())
    }

    /// The course's `make_end`: a server by its name, which is its address.
    pub fn make_end(&self) -> Arc<dyn Fn(&str) -> ClientEnd + Send + Sync> {
        let key = self.key.clone();
        Arc::new(move |name: &str| {
            TcpTransport::new(name, Who::Client, key.clone(), CallConfig::default()).end()
        })
    }
}

/// Runs a server binary: checks the arguments, opens the data directory, starts the
/// replica `start` makes on the real clock, serves it until SIGTERM or Ctrl-C. The exit
/// code says how it ended: 0 stopped, 1 could not start, 2 a bad command line (clap's),
/// 70 a task failed (a save the disk refused, say).
pub fn run_server<R, F>(prog: &str, gid: u64, args: ServerArgs, start: F) -> ExitCode
where
    R: Replica + Clone + Send + Sync + 'static,
    F: FnOnce(Vec<ClientEnd>, usize, Arc<dyn Persister>, Reach) -> R,
{
    // Proposals go out at once, not at the next tick (see `Config::send_on_propose`).
    let _ = lab3_raft::set_process_config(lab3_raft::core::Config::real());
    let peers = args.peers.0.clone();
    if args.me as usize >= peers.len() {
        eprintln!(
            "{prog}: --me {} is not an index of the {} peers",
            args.me,
            peers.len()
        );
        return ExitCode::from(2);
    }
    let key = match ClusterKey::from_file(&args.key) {
        Ok(key) => Arc::new(key),
        Err(e) => return fail(prog, &e),
    };
    let durability = if args.fsync == "on" {
        Durability::Synced
    } else {
        Durability::Buffered
    };
    let persister = match FilePersister::open(&args.data, durability) {
        Ok(p) => Arc::new(p),
        Err(e) => return fail(prog, &e.to_string()),
    };
    let served = process::run(|| async move {
        let me = args.me;
        let faults = Faults::new();
        let ends = process::peer_ends(&peers, me, &key, &faults, &CallConfig::default());
        let reach = Reach { key: key.clone() };
        let replica = start(ends, me as usize, persister.clone(), reach);
        if replica.raft().killed() {
            return Err(format!(
                "the Raft state in {} does not restore (RUST_LOG=error shows why)",
                args.data.display()
            ));
        }
        let server = Server::new();
        for service in replica.services() {
            server.add_service(service);
        }
        let (of, disk) = (replica.clone(), persister.clone());
        let status = move || status(me, gid, of.raft(), &disk);
        let hook = args.allow_faults.then(|| faults.clone());
        server.add_service(admin::service(status, hook.clone()));
        let mut config = ServeConfig::new(key, peers.len() as u32, Some(me));
        config.faults = hook;
        let listen = &peers[me as usize];
        let tcp = TcpServer::start(listen, server, config)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        eprintln!(
            "{prog}: peer {me} of {} listening on {}, data in {} ({} saves so far)",
            peers.len(),
            tcp.local_addr(),
            args.data.display(),
            persister.saves()
        );
        process::stop_signal().await;
        eprintln!("{prog}: peer {me} stopping");
        replica.kill();
        drop(tcp);
        Ok(())
    });
    match served {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => fail(prog, &e),
        Err(stopped) => {
            eprintln!("{prog}: stopped: {stopped}");
            ExitCode::from(70)
        }
    }
}

fn fail(prog: &str, message: &str) -> ExitCode {
    eprintln!("{prog}: {message}");
    ExitCode::FAILURE
}

/// The `Admin` status of peer `me` of group `gid`.
fn status(me: u32, gid: u64, raft: &Raft, disk: &FilePersister) -> admin::Status {
    let (term, leader) = raft.get_state();
    admin::Status {
        me,
        gid,
        term,
        leader,
        commit_index: raft.commit_index(),
        last_log_index: raft.last_log_index(),
        last_included_index: raft.last_included_index(),
        raft_state_bytes: disk.raft_state_size() as u64,
        snapshot_bytes: disk.snapshot_size() as u64,
        saves: disk.saves(),
        isolated: Vec::new(),
    }
}

pub mod testing;
