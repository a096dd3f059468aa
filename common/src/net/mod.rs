//! The real network: labrpc's calls between processes over TCP, for the cluster that runs
//! outside the simulator (the labs' binaries, `scripts/cluster.sh`).
//!
//! The seam is [`crate::labrpc::ClientEnd`]: an end made by [`TcpTransport::end`] carries
//! its calls over TCP instead of the simulated network, so `Raft`, the KV servers, the
//! controller and shardkv run over either with no change to their code. On the other
//! side, [`TcpServer`] hands each request to a labrpc [`crate::labrpc::Server`] by its
//! typed descriptor's `Service.Method` name, as the simulated network does.
//!
//! - Frames: a 4-byte length, then the workspace codec ([`wire`]); tokio-util's framing,
//!   with the length checked against a limit before anything is allocated.
//! - Trust: the cluster key, an HMAC challenge when a connection opens and a tag on every
//!   frame ([`auth`], which says why HMAC and not TLS); a peer index outside the
//!   configuration is refused, and clients may not call the peers' services.
//! - Failures: a call gives up after its time limit ([`RpcError::TimedOut`]); a lost
//!   connection fails its calls ([`RpcError::ServerGone`]) and the next call opens a new
//!   one, so a restarted peer is reached again.
//! - Faults, for tests: [`Faults`] cuts a process off from chosen peers.
//! - [`admin`]: the status and fault-hook service every real server offers;
//!   [`process`]: what every binary does the same way.
//!
//! This transport runs on the real clock only (a simulated world's paused clock would
//! fire its timeouts at once).
//!
//! [`RpcError::TimedOut`]: crate::labrpc::RpcError::TimedOut
//! [`RpcError::ServerGone`]: crate::labrpc::RpcError::ServerGone

pub mod admin;
pub mod auth;
mod client;
mod conn;
mod faults;
pub mod process;
mod server;
pub mod wire;

pub use auth::ClusterKey;
pub use client::{CallConfig, TcpTransport};
pub use faults::Faults;
pub use server::{ServeConfig, TcpServer};
pub use wire::Who;

use std::time::Duration;

/// The largest frame by default: room for a large snapshot in one `InstallSnapshot`.
pub const DEFAULT_MAX_FRAME: usize = 64 << 20;

/// A real sleep, for the real transport only.
async fn real_sleep(duration: Duration) {
    #[allow(clippy::disallowed_methods)] // the real network runs on the real clock
    tokio::time::sleep(duration).await;
}
