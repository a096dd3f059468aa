//! [`TcpServer`]: a labrpc [`Server`] listening on a TCP port.
//!
//! Each connection must first pass the handshake (see [`super::auth`]): an unauthenticated
//! caller's bytes reach no handler. Resources are bounded however callers behave: at most
//! `max_connections` connections (more are closed at once), a handshake must finish within
//! `handshake_timeout` (a half-open or idle stranger is dropped), frames are at most
//! `max_frame` bytes (a longer length prefix closes the connection before anything is
//! allocated), and each connection has at most `max_in_flight` requests running (it is not
//! read further until one finishes).

use super::auth::ClusterKey;
use super::conn::{self, ConnError, Reader, Writer};
use super::faults::Faults;
use super::wire::{Failure, Message, Who};
use crate::labrpc::{RpcError, Server};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

/// How a [`TcpServer`] admits callers and bounds what they can cost.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The cluster key callers must hold.
    pub key: Arc<ClusterKey>,
    /// How many Raft peers the cluster has: `Who::Peer(i)` is accepted for `i` below it,
    /// other than `me`.
    pub peers: u32,
    /// This server's own peer index, if it is a Raft peer.
    pub me: Option<u32>,
    /// Services only the cluster's peers may call (`"Raft"`): a client's call to one is
    /// refused.
    pub peer_only: Vec<String>,
    /// Most connections at once.
    pub max_connections: usize,
    /// Most requests running at once per connection.
    pub max_in_flight: usize,
    /// Most bytes in a frame.
    pub max_frame: usize,
    /// Time a caller has to complete the handshake.
    pub handshake_timeout: Duration,
    /// The test-only fault hook: requests from the peers it isolates are dropped.
    pub faults: Option<Faults>,
}

impl ServeConfig {
    /// The defaults for a server of `peers` peers (`me` among them, if a peer) holding
    /// `key`.
    pub fn new(key: Arc<ClusterKey>, peers: u32, me: Option<u32>) -> ServeConfig {
        ServeConfig {
            key,
            peers,
            me,
            peer_only: vec!["Raft".to_string()],
            max_connections: 1024,
            max_in_flight: 256,
            max_frame: super::DEFAULT_MAX_FRAME,
            handshake_timeout: Duration::from_secs(5),
            faults: None,
        }
    }

    fn admits(&self, who: Who) -> Result<(), String> {
        match who {
            Who::Client => Ok(()),
            Who::Peer(i) if Some(i) == self.me => Err(format!("{who} is this server itself")),
            Who::Peer(i) if i >= self.peers => Err(format!(
                "{who} is outside this cluster's configuration of {} peers",
                self.peers
            )),
            Who::Peer(_) => Ok(()),
        }
    }
}

/// A running listener; dropping it (or [`TcpServer::stop`]) closes the port and every
/// connection.
pub struct TcpServer {
    local_addr: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl TcpServer {
    /// Listens on `addr` and serves `server`'s services to callers `config` admits.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(
        addr: &str,
        server: Server,
        config: ServeConfig,
    ) -> std::io::Result<TcpServer> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        tracing::info!(%local_addr, peers = config.peers, me = ?config.me, "listening");
        let accepting = tokio::spawn(accept_loop(listener, server, Arc::new(config)));
        Ok(TcpServer {
            local_addr,
            accepting,
        })
    }

    /// The address it listens on (with the port the OS chose, for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Closes the port and every connection (running handlers finish on their own, their
    /// replies lost).
    pub fn stop(&self) {
        self.accepting.abort();
    }
}

impl Drop for TcpServer {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

async fn accept_loop(listener: TcpListener, server: Server, config: Arc<ServeConfig>) {
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    // Dropped with this task when the server stops: every connection closes with it.
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer_addr) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, say: wait for some to close rather than spin.
                tracing::warn!(error = %e, "accept failed");
                super::real_sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer_addr, limit = config.max_connections, "too many connections: closed at once");
            drop(stream);
            continue;
        };
        let (server, config) = (server.clone(), config.clone());
        connections.spawn(async move {
            let _slot = slot;
            serve_connection(stream, peer_addr, server, config).await;
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer_addr: SocketAddr,
    server: Server,
    config: Arc<ServeConfig>,
) {
    let admitted = conn::accept(
        stream,
        &config.key,
        |who| config.admits(who),
        config.handshake_timeout,
        config.max_frame,
    )
    .await;
    let (who, reader, writer) = match admitted {
        Ok(open) => open,
        Err(e) => {
            tracing::warn!(%peer_addr, error = %e, "connection refused");
            return;
        }
    };
    tracing::debug!(%peer_addr, %who, "connection open");
    let e = run(who, reader, writer, server, &config).await;
    tracing::debug!(%peer_addr, %who, error = %e, "connection closed");
}

/// Reads requests and runs their handlers until the connection ends; says why it ended.
async fn run(
    who: Who,
    mut reader: Reader,
    mut writer: Writer,
    server: Server,
    config: &ServeConfig,
) -> ConnError {
    let (reply_tx, mut reply_rx) = mpsc::channel::<Message>(config.max_in_flight.max(1));
    let in_flight = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
    let writing = async move {
        while let Some(reply) = reply_rx.recv().await {
            if let Err(e) = writer.send(&reply).await {
                return e;
            }
        }
        ConnError::Closed
    };
    tokio::pin!(writing);
    loop {
        let permit = tokio::select! {
            biased;
            e = &mut writing => return e,
            permit = in_flight.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return ConnError::Closed,
            },
        };
        let message = tokio::select! {
            biased;
            e = &mut writing => return e,
            message = reader.next() => message,
        };
        let (id, service, method, args) = match message {
            Ok(Some(Message::Request {
                id,
                service,
                method,
                args,
            })) => (id, service, method, args),
            Ok(Some(Message::Reply { .. })) => {
                return ConnError::Handshake("a caller sent a reply".into());
            }
            Ok(None) => return ConnError::Closed,
            Err(e) => return e,
        };
        if config.faults.as_ref().is_some_and(|f| f.blocks(who)) {
            tracing::trace!(%who, service, method, "request dropped by the fault hook");
            continue;
        }
        if who == Who::Client && config.peer_only.contains(&service) {
            tracing::warn!(%who, service, method, "a client called a peers' service");
            let outcome = Err(Failure::NotAllowed(format!(
                "{service} is for the cluster's peers"
            )));
            if reply_tx.send(Message::Reply { id, outcome }).await.is_err() {
                return ConnError::Closed;
            }
            continue;
        }
        let reply_tx = reply_tx.clone();
        let dispatched = server.dispatch(&service, &method, args);
        // A task of its own, run to the end even if the connection closes, as labrpc's
        // handlers are (a handler cut off halfway could leave its service's bookkeeping
        // half done).
        crate::sim::spawn(async move {
            let _permit = permit;
            let outcome = match dispatched {
                Ok(handler) => handler.await.map_err(failure),
                Err(e) => Err(failure(e)),
            };
            let _ = reply_tx.send(Message::Reply { id, outcome }).await;
        });
    }
}

fn failure(e: RpcError) -> Failure {
    match e {
        RpcError::UnknownService(s) => Failure::UnknownService(s),
        RpcError::UnknownMethod(m) => Failure::UnknownMethod(m),
        RpcError::BadRequest(e) => Failure::BadRequest(e.to_string()),
        _ => Failure::HandlerFailed,
    }
}
