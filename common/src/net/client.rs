//! [`TcpTransport`]: the calling side. One connection per transport, opened on the first
//! call and again after it breaks, carrying any number of calls at once (each request has
//! a number its reply echoes).

use super::auth::ClusterKey;
use super::conn::{self, ConnError, Reader, Writer};
use super::faults::Faults;
use super::wire::{Failure, Message, Who};
use crate::labrpc::{ClientEnd, RpcError, Transport};
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

/// Time limits and frame size of a [`TcpTransport`].
#[derive(Debug, Clone)]
pub struct CallConfig {
    /// A call without a reply by then fails with [`RpcError::TimedOut`].
    pub timeout: Duration,
    /// Time to open a connection and pass the handshake.
    pub connect_timeout: Duration,
    /// Most bytes in a frame.
    pub max_frame: usize,
}

impl Default for CallConfig {
    fn default() -> Self {
        CallConfig {
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            max_frame: super::DEFAULT_MAX_FRAME,
        }
    }
}

/// Calls to one server address, as `who`, holding the cluster key.
#[derive(Clone)]
pub struct TcpTransport {
    inner: Arc<Inner>,
}

struct Inner {
    addr: String,
    who: Who,
    key: Arc<ClusterKey>,
    config: CallConfig,
    /// The fault hook, and the peer index of the server this transport leads to.
    faults: Option<(Faults, u32)>,
    conn: tokio::sync::Mutex<Option<Arc<Conn>>>,
}

/// An open connection.
struct Conn {
    requests: mpsc::Sender<Message>,
    pending: Arc<Pending>,
    reading: tokio::task::AbortHandle,
}

impl Drop for Conn {
    fn drop(&mut self) {
        // The writer ends when `requests` goes; the reader waits on the socket, so it is
        // stopped here.
        self.reading.abort();
    }
}

type ReplyTx = oneshot::Sender<Result<Vec<u8>, RpcError>>;

#[derive(Default)]
struct Pending {
    calls: Mutex<BTreeMap<u64, ReplyTx>>,
    next_id: AtomicU64,
    broken: AtomicBool,
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, ReplyTx>> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The connection is gone: every call waiting on it fails.
    fn break_all(&self, why: &ConnError) {
        self.broken.store(true, Ordering::Release);
        let calls = std::mem::take(&mut *self.lock());
        if !calls.is_empty() {
            tracing::debug!(calls = calls.len(), error = %why, "connection lost with calls in flight");
        }
        for (_, reply) in calls {
            let _ = reply.send(Err(RpcError::ServerGone));
        }
    }
}

/// Removes a call's entry if the call is dropped (timed out or cancelled) first.
struct Forget<'a>(&'a Pending, u64);

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.0.lock().remove(&self.1);
    }
}

impl TcpTransport {
    /// A transport to the server at `addr` (`host:port`), calling as `who`.
    pub fn new(
        addr: impl Into<String>,
        who: Who,
        key: Arc<ClusterKey>,
        config: CallConfig,
    ) -> TcpTransport {
        TcpTransport::build(addr.into(), who, key, config, None)
    }

    fn build(
        addr: String,
        who: Who,
        key: Arc<ClusterKey>,
        config: CallConfig,
        faults: Option<(Faults, u32)>,
    ) -> TcpTransport {
        TcpTransport {
            inner: Arc::new(Inner {
                addr,
                who,
                key,
                config,
                faults,
                conn: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// As [`TcpTransport::new`], to the server that is peer `peer` of this process's
    /// cluster, subject to the fault hook `faults`.
    pub fn with_faults(
        addr: impl Into<String>,
        who: Who,
        key: Arc<ClusterKey>,
        config: CallConfig,
        faults: Faults,
        peer: u32,
    ) -> TcpTransport {
        TcpTransport::build(addr.into(), who, key, config, Some((faults, peer)))
    }

    /// A labrpc end whose calls this transport carries.
    pub fn end(&self) -> ClientEnd {
        ClientEnd::remote(&self.inner.addr, Arc::new(self.clone()))
    }
}

impl Transport for TcpTransport {
    fn call(
        &self,
        service: &'static str,
        method: &'static str,
        args: Vec<u8>,
    ) -> BoxFuture<'static, Result<Vec<u8>, RpcError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let timeout = inner.config.timeout;
            if let Some((faults, peer)) = &inner.faults
                && faults.blocks(Who::Peer(*peer))
            {
                super::real_sleep(timeout).await;
                return Err(RpcError::TimedOut);
            }
            match tokio::time::timeout(timeout, inner.call(service, method, args)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(RpcError::TimedOut),
            }
        })
    }
}

impl Inner {
    async fn call(&self, service: &str, method: &str, args: Vec<u8>) -> Result<Vec<u8>, RpcError> {
        let conn = self.connection().await?;
        let id = conn.pending.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply_tx, reply_rx) = oneshot::channel();
        conn.pending.lock().insert(id, reply_tx);
        let _forget = Forget(&conn.pending, id);
        if conn.pending.broken.load(Ordering::Acquire) {
            return Err(RpcError::ServerGone);
        }
        let request = Message::Request {
            id,
            service: service.to_string(),
            method: method.to_string(),
            args,
        };
        if conn.requests.send(request).await.is_err() {
            return Err(RpcError::ServerGone);
        }
        reply_rx.await.unwrap_or(Err(RpcError::ServerGone))
    }

    /// The open connection, or a new one.
    async fn connection(&self) -> Result<Arc<Conn>, RpcError> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref()
            && !conn.pending.broken.load(Ordering::Acquire)
        {
            return Ok(conn.clone());
        }
        *slot = None;
        let within = self.config.connect_timeout;
        let stream = match tokio::time::timeout(within, TcpStream::connect(&self.addr)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                tracing::debug!(addr = %self.addr, error = %e, "cannot connect");
                return Err(RpcError::Unreachable);
            }
            Err(_) => return Err(RpcError::Unreachable),
        };
        let opened =
            conn::connect(stream, &self.key, self.who, within, self.config.max_frame).await;
        let (reader, writer) = match opened {
            Ok(halves) => halves,
            Err(ConnError::Handshake(why)) => {
                tracing::warn!(addr = %self.addr, %why, "connection refused");
                return Err(RpcError::Refused(why));
            }
            Err(e) => {
                tracing::debug!(addr = %self.addr, error = %e, "handshake failed");
                return Err(RpcError::Unreachable);
            }
        };
        let pending = Arc::new(Pending::default());
        let (requests, outgoing) = mpsc::channel(1024);
        tokio::spawn(write_loop(writer, outgoing, pending.clone()));
        let reading = tokio::spawn(read_loop(reader, pending.clone())).abort_handle();
        let conn = Arc::new(Conn {
            requests,
            pending,
            reading,
        });
        *slot = Some(conn.clone());
        Ok(conn)
    }
}

async fn write_loop(
    mut writer: Writer,
    mut outgoing: mpsc::Receiver<Message>,
    pending: Arc<Pending>,
) {
    while let Some(request) = outgoing.recv().await {
        if let Err(e) = writer.send(&request).await {
            pending.break_all(&e);
            return;
        }
    }
}

async fn read_loop(mut reader: Reader, pending: Arc<Pending>) {
    let why = loop {
        match reader.next().await {
            Ok(Some(Message::Reply { id, outcome })) => {
                let reply = pending.lock().remove(&id);
                if let Some(reply) = reply {
                    let _ = reply.send(outcome.map_err(rpc_error));
                }
            }
            Ok(Some(Message::Request { .. })) => {
                break ConnError::Handshake("the server sent a request".into());
            }
            Ok(None) => break ConnError::Closed,
            Err(e) => break e,
        }
    };
    pending.break_all(&why);
}

fn rpc_error(failure: Failure) -> RpcError {
    match failure {
        Failure::UnknownService(s) => RpcError::UnknownService(s),
        Failure::UnknownMethod(m) => RpcError::UnknownMethod(m),
        Failure::BadRequest(why) => RpcError::Refused(format!("bad request: {why}")),
        Failure::NotAllowed(why) => RpcError::Refused(why),
        Failure::HandlerFailed => RpcError::HandlerFailed,
    }
}
