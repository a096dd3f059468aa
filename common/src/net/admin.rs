//! The `Admin` service every real server offers beside its own: its Raft peer's status
//! (for `scripts/cluster.sh status`), and, only when the server was started with
//! `--allow-faults`, the fault hook (for `scripts/cluster.sh partition` and the fault
//! tests). Clients reach it with the cluster key like any other service.

use super::faults::Faults;
use crate::labrpc::{Rpc, Service};
use serde::{Deserialize, Serialize};

/// The service's name.
pub const SERVICE: &str = "Admin";
/// A server's status.
pub const STATUS: Rpc<(), Status> = Rpc::new(SERVICE, "Status");
/// Cuts the server off from exactly these peers (none heals it); refused unless faults
/// are allowed.
pub const ISOLATE: Rpc<Vec<u32>, Result<(), String>> = Rpc::new(SERVICE, "Isolate");

/// What a real server reports of itself and its Raft peer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Its peer index in its cluster.
    pub me: u32,
    /// Its Raft group (0 for a service with one group).
    pub gid: u64,
    /// The current term.
    pub term: u64,
    /// Whether it believes it leads.
    pub leader: bool,
    /// The highest log index it knows committed.
    pub commit_index: u64,
    /// The last index of its log.
    pub last_log_index: u64,
    /// The last index its snapshot covers.
    pub last_included_index: u64,
    /// Bytes of the saved Raft state.
    pub raft_state_bytes: u64,
    /// Bytes of the saved snapshot.
    pub snapshot_bytes: u64,
    /// Saves since its data directory was new.
    pub saves: u64,
    /// The peers the fault hook cuts it off from.
    pub isolated: Vec<u32>,
}

/// The `Admin` service: `status` says how the server is; `faults`, if allowed, is the
/// hook `Isolate` sets.
pub fn service(
    status: impl Fn() -> Status + Send + Sync + 'static,
    faults: Option<Faults>,
) -> Service {
    let status = std::sync::Arc::new(status);
    let hook = faults.clone();
    Service::new(SERVICE)
        .handle(STATUS, move |()| {
            let mut now = status();
            now.isolated = hook.as_ref().map(Faults::isolated).unwrap_or_default();
            async move { now }
        })
        .handle(ISOLATE, move |peers: Vec<u32>| {
            let outcome = match &faults {
                Some(faults) => {
                    faults.isolate(peers);
                    Ok(())
                }
                None => Err("this server was started without --allow-faults".to_string()),
            };
            async move { outcome }
        })
}
