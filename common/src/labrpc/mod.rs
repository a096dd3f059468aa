//! The course's fake network (labrpc), on channels inside a simulated world.
//!
//! A [`Network`] holds named [`ClientEnd`]s and named [`Server`]s. An end is connected to
//! one server name and can be enabled or disabled; a server is a set of [`Service`]s.
//! Every method is named once, by its typed [`Rpc`] descriptor, which both the handler's
//! registration ([`Service::handle`]) and every call ([`ClientEnd::call`]) use.
//! [`ClientEnd::call`] encodes the arguments, and the network decides what becomes of
//! the request, as the course's `labrpc.go` does (numbers from `lab-tests.md` §1.1):
//!
//! - end enabled and server present: on an unreliable network the request waits 0–26 ms
//!   and is lost with probability 10%; the handler runs in a task of its own; if the end
//!   is disabled or the server deleted or replaced before the reply, the call fails at
//!   once (the course polls every 100 ms); an unreliable network loses 10% of replies;
//!   with long reordering two thirds of replies wait 200 ms to about 2.2 s (and,
//!   beyond the course, with request reordering a third of requests wait up to 1 s);
//! - otherwise the call fails after a random time: 0–7 s with long delays, 0–100 ms
//!   without.
//!
//! On top of the course's behaviour, every message on a simulated network takes a random
//! 0–100 µs to travel, so concurrent messages interleave as they would between threads.
//!
//! As in the course, a wrong RPC never looks like packet loss: inside a simulated world, a
//! call to a method the server does not have, or a reply that does not decode as the
//! caller's type, fails the world at once, naming the method. Request bytes that do not
//! decode are answered with [`RpcError::BadRequest`] (a real transport meets such bytes).
//!
//! Counters: [`Network::total_count`] counts every request that enters the network,
//! [`Network::total_bytes`] the bytes of every request and of every *delivered* reply,
//! and [`Network::count`] the requests delivered to one server.
//!
//! All randomness comes from [`crate::sim::rng`], so a seed replays the network exactly;
//! every event goes to the world's trace (`LAB_TRACE`).

mod error;
mod rpc;
mod server;
pub mod workload;

pub use error::RpcError;
pub use rpc::Rpc;
pub use server::{Server, Service};

use crate::codec;
use crate::sim::{self, RngExt, Wait, trace};
use futures::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;

/// Most travel time of a message on a simulated network.
const MAX_JITTER: Duration = Duration::from_micros(100);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section here is a lookup or a single assignment: a panic elsewhere
    // cannot leave the tables half-updated.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The simulated network: a cheap, cloneable handle.
#[derive(Clone)]
pub struct Network {
    inner: Arc<NetInner>,
}

struct NetInner {
    state: Mutex<NetState>,
    total_count: AtomicU64,
    total_bytes: AtomicU64,
    /// Notified on every change that can kill an in-flight call (enable, delete or replace
    /// a server), so waiting calls re-check instead of polling. A `Notify`, not a tokio
    /// `watch`: `watch` wakes its receivers in an order drawn from tokio's unseeded RNG.
    changed: Notify,
}

#[derive(Default)]
struct NetState {
    reliable: bool,
    long_delays: bool,
    long_reordering: bool,
    request_reordering: bool,
    ends: HashMap<String, EndState>,
    servers: HashMap<String, Server>,
}

#[derive(Default)]
struct EndState {
    enabled: bool,
    server: Option<Arc<str>>,
}

/// What a request will meet, read from the tables when it enters the network.
struct Route {
    target: Option<(Arc<str>, Server)>,
    reliable: bool,
    long_delays: bool,
    long_reordering: bool,
    request_reordering: bool,
}

impl Default for Network {
    fn default() -> Self {
        Network::new()
    }
}

impl Network {
    /// A reliable network with no ends and no servers.
    pub fn new() -> Network {
        Network {
            inner: Arc::new(NetInner {
                state: Mutex::new(NetState {
                    reliable: true,
                    ..NetState::default()
                }),
                total_count: AtomicU64::new(0),
                total_bytes: AtomicU64::new(0),
                changed: Notify::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, NetState> {
        lock(&self.inner.state)
    }

    fn bump(&self) {
        self.inner.changed.notify_waiters();
    }

    /// Whether the network is reliable now (see [`Network::set_reliable`]).
    pub fn is_reliable(&self) -> bool {
        self.state().reliable
    }

    /// Reliable (no drops, no extra delays) or unreliable (the course's drops and delays).
    pub fn set_reliable(&self, reliable: bool) {
        tracing::info!(target: "harness", reliable, "network reliability");
        let what = if reliable { "reliable" } else { "unreliable" };
        sim::timeline::note(sim::timeline::Lane::Faults, format!("network {what}"));
        self.state().reliable = reliable;
    }

    /// Whether calls to a disabled end or a missing server fail after up to 7 s (on) or
    /// 100 ms (off).
    pub fn set_long_delays(&self, on: bool) {
        tracing::info!(target: "harness", on, "network long delays");
        self.state().long_delays = on;
    }

    /// Whether replies may be held back for 200 ms to about 2.2 s.
    pub fn set_long_reordering(&self, on: bool) {
        sim::timeline::note(sim::timeline::Lane::Faults, format!("long reordering {on}"));
        tracing::info!(target: "harness", on, "network long reordering");
        self.state().long_reordering = on;
    }

    /// Beyond the course's network, for the extra tests: whether requests may be held
    /// back too (a third of those delivered wait up to 1 s more), so that a request can
    /// arrive after others its sender made later, and reach a server restarted since it
    /// was sent. The course's labrpc reorders replies only, and fails a call whose server
    /// was replaced; a real network does neither.
    pub fn set_request_reordering(&self, on: bool) {
        tracing::info!(target: "harness", on, "network request reordering");
        self.state().request_reordering = on;
    }

    /// A new end called `name`, unconnected and disabled.
    ///
    /// # Panics
    /// When an end of that name exists (a tester bug, fatal in the course too).
    #[track_caller]
    pub fn make_end(&self, name: &str) -> ClientEnd {
        let mut state = self.state();
        assert!(
            !state.ends.contains_key(name),
            "labrpc: make_end: end {name:?} already exists"
        );
        state.ends.insert(name.to_string(), EndState::default());
        ClientEnd {
            name: Arc::from(name),
            via: Via::Simulated(self.clone()),
        }
    }

    /// One new end per server named in `servers`, each with a [`random_end_name`] and
    /// connected to its server, disabled: what the course's testers make for every peer
    /// (re)started and every clerk.
    pub fn make_ends_to<S: AsRef<str>>(
        &self,
        servers: impl IntoIterator<Item = S>,
    ) -> Vec<ClientEnd> {
        servers
            .into_iter()
            .map(|server| {
                let end = self.make_end(&random_end_name());
                self.connect(end.name(), server.as_ref());
                end
            })
            .collect()
    }

    /// Removes an end; calls through it fail as unreachable.
    pub fn delete_end(&self, name: &str) {
        self.state().ends.remove(name);
        self.bump();
    }

    /// Adds a server, or replaces the one of that name (whose pending replies are dropped).
    pub fn add_server(&self, name: &str, server: Server) {
        self.state().servers.insert(name.to_string(), server);
        self.bump();
    }

    /// Removes a server: calls to it fail, and its pending replies are dropped.
    pub fn delete_server(&self, name: &str) {
        self.state().servers.remove(name);
        self.bump();
    }

    /// Connects end `end` to the server called `server` (which may be added later).
    pub fn connect(&self, end: &str, server: &str) {
        if let Some(e) = self.state().ends.get_mut(end) {
            e.server = Some(Arc::from(server));
        }
    }

    /// Enables or disables an end; disabling fails the calls in flight through it.
    pub fn enable(&self, end: &str, enabled: bool) {
        if let Some(e) = self.state().ends.get_mut(end) {
            e.enabled = enabled;
        }
        self.bump();
    }

    /// Whether end `end` exists and is enabled.
    pub fn is_enabled(&self, end: &str) -> bool {
        self.state().ends.get(end).is_some_and(|e| e.enabled)
    }

    /// Requests delivered to the server called `server` (0 if there is none).
    pub fn count(&self, server: &str) -> u64 {
        self.state().servers.get(server).map_or(0, Server::count)
    }

    /// Requests that entered the network, delivered or not.
    pub fn total_count(&self) -> u64 {
        self.inner.total_count.load(Ordering::Relaxed)
    }

    /// Bytes of all requests plus those of delivered replies.
    pub fn total_bytes(&self) -> u64 {
        self.inner.total_bytes.load(Ordering::Relaxed)
    }

    fn route(&self, end: &str) -> Route {
        let state = self.state();
        let target = state.ends.get(end).and_then(|e| {
            let name = e.server.as_ref().filter(|_| e.enabled)?;
            let server = state.servers.get(&**name)?;
            Some((name.clone(), server.clone()))
        });
        Route {
            target,
            reliable: state.reliable,
            long_delays: state.long_delays,
            long_reordering: state.long_reordering,
            request_reordering: state.request_reordering,
        }
    }

    /// Whether a call through `end` to `server` can no longer get its reply.
    fn gone(&self, end: &str, name: &str, server: &Server) -> bool {
        let state = self.state();
        let enabled = state.ends.get(end).is_some_and(|e| e.enabled);
        let present = state.servers.get(name).is_some_and(|s| s.same(server));
        !(enabled && present)
    }

    async fn carry(
        &self,
        end: &str,
        (service, method): (&'static str, &'static str),
        args: Vec<u8>,
    ) -> Result<Vec<u8>, RpcError> {
        let full_name = (service, method);
        self.inner.total_count.fetch_add(1, Ordering::Relaxed);
        self.inner
            .total_bytes
            .fetch_add(args.len() as u64, Ordering::Relaxed);
        let route = self.route(end);
        let to = route.target.as_ref().map_or("-", |(name, _)| &**name);
        trace_event("send", end, to, full_name, args.len(), "");

        let Some((name, server)) = &route.target else {
            let most = if route.long_delays { 7000 } else { 100 };
            let ms = sim::rng(|r| r.random_range(0..most));
            sim::sleep(Duration::from_millis(ms)).await;
            trace_event("drop", end, to, full_name, args.len(), "unreachable");
            return Err(RpcError::Unreachable);
        };

        if route.reliable {
            jitter().await;
        } else {
            let ms = sim::rng(|r| r.random_range(0..27));
            sim::sleep(Duration::from_millis(ms)).await;
            jitter().await;
            if sim::rng(|r| r.random_range(0..1000)) < 100 {
                trace_event("drop", end, to, full_name, args.len(), "request lost");
                return Err(RpcError::Dropped);
            }
        }
        // A request held back goes to whatever server its end leads to when it is let go
        // (a restarted peer, say), as on a real network, if the end is still enabled.
        let rerouted;
        let (name, server) = if route.request_reordering && sim::rng(|r| r.random_range(0..3)) == 0
        {
            let ms = sim::rng(|r| r.random_range(0..=1000));
            sim::sleep(Duration::from_millis(ms)).await;
            rerouted = self.route(end).target;
            match &rerouted {
                Some((name, server)) => (name, server),
                None => {
                    trace_event("drop", end, to, full_name, args.len(), "unreachable");
                    return Err(RpcError::Unreachable);
                }
            }
        } else {
            (name, server)
        };

        trace_event("deliver", end, to, full_name, args.len(), "");
        let dispatched: BoxFuture<'static, Result<Vec<u8>, RpcError>> = match server
            .dispatch(service, method, args)
        {
            Ok(handler) => handler,
            Err(e) => {
                tracing::error!(service, method, error = %e, "RPC to a method the server does not have");
                sim::fail_world(format!(
                    "labrpc: call to {service}.{method}, which the server does not have: {e} \
                     (the course's labrpc aborts the test on this)"
                ));
                Box::pin(std::future::ready(Err(e)))
            }
        };
        let handler = sim::waiting_for(|| Wait::Handler { service, method }, dispatched);
        let mut handler = sim::spawn_for(name.clone(), handler);
        let outcome = loop {
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.gone(end, name, server) {
                break None;
            }
            tokio::select! {
                biased;
                done = &mut handler => break Some(done),
                _ = changed => {}
            }
        };
        // A killed server must not acknowledge a write it saved in a superseded persister.
        let Some(outcome) = outcome.filter(|_| !self.gone(end, name, server)) else {
            trace_event("drop", end, to, full_name, 0, "server gone");
            return Err(RpcError::ServerGone);
        };
        let reply = outcome.map_err(|_| RpcError::HandlerFailed)?;

        if !route.reliable && sim::rng(|r| r.random_range(0..1000)) < 100 {
            trace_event("drop", end, to, full_name, 0, "reply lost");
            return Err(RpcError::Dropped);
        }
        if route.long_reordering && sim::rng(|r| r.random_range(0..900)) < 600 {
            let ms = sim::rng(|r| {
                let upper = r.random_range(0..2000u64);
                200 + r.random_range(0..=upper)
            });
            sim::sleep(Duration::from_millis(ms)).await;
        }
        jitter().await;
        let reply = reply?;
        self.inner
            .total_bytes
            .fetch_add(reply.len() as u64, Ordering::Relaxed);
        trace_event("reply", end, to, full_name, reply.len(), "");
        Ok(reply)
    }
}

/// A random end name of 20 letters and digits, drawn from the world's RNG: the course's
/// `randstring(20)`, which its testers use so that a restarted peer or a new clerk never
/// reuses an old end.
pub fn random_end_name() -> String {
    sim::random_string(sim::ALPHANUMERIC, 20)
}

/// A message's travel time on a simulated network (none on the real clock, where
/// threads interleave for real and tokio could not sleep this short anyway).
async fn jitter() {
    if !sim::is_realtime() {
        let ns = sim::rng(|r| r.random_range(0..MAX_JITTER.as_nanos() as u64));
        sim::sleep(Duration::from_nanos(ns)).await;
    }
}

fn trace_event(
    kind: &str,
    from: &str,
    to: &str,
    (service, method): (&str, &str),
    bytes: usize,
    note: &str,
) {
    if trace::enabled() {
        trace::record(format_args!(
            "{kind:<7} {from} -> {to} {service}.{method} {bytes}{}{note}",
            if note.is_empty() { "" } else { " " }
        ));
    }
}

/// A way to carry calls to a server other than the simulated network: the real TCP
/// transport ([`crate::net`]) implements it, so the labs' code, which only ever holds
/// [`ClientEnd`]s, runs over either unchanged.
pub trait Transport: Send + Sync {
    /// Sends a request for `service.method` and returns the reply's bytes.
    ///
    /// # Errors
    /// When no reply came back; a transport should give up after a bounded time.
    fn call(
        &self,
        service: &'static str,
        method: &'static str,
        args: Vec<u8>,
    ) -> BoxFuture<'static, Result<Vec<u8>, RpcError>>;
}

/// The calling side of a connection: cheap to clone, usable from many tasks at once.
#[derive(Clone)]
pub struct ClientEnd {
    name: Arc<str>,
    via: Via,
}

/// What carries an end's calls. An enum, not a trait object, so a simulated call costs no
/// more than it did before there was a choice.
#[derive(Clone)]
enum Via {
    Simulated(Network),
    Remote(Arc<dyn Transport>),
}

impl std::fmt::Debug for ClientEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientEnd({})", self.name)
    }
}

impl ClientEnd {
    /// An end whose calls `transport` carries (the real network), called `name` in logs.
    pub fn remote(name: &str, transport: Arc<dyn Transport>) -> ClientEnd {
        ClientEnd {
            name: Arc::from(name),
            via: Via::Remote(transport),
        }
    }

    /// The end's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls `rpc` with `args` and waits for the reply.
    ///
    /// Always returns eventually, unless the handler never returns. Concurrent calls on
    /// one end are allowed and may be reordered.
    ///
    /// # Errors
    /// When no reply came back ([`RpcError`] says why), or the reply did not decode (which
    /// also fails a simulated world: see the module documentation; on a real network it is
    /// only an error, since a remote peer must not be able to stop this one).
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the call abandons the reply; the handler still runs to the end.
    pub async fn call<A, R>(&self, rpc: Rpc<A, R>, args: &A) -> Result<R, RpcError>
    where
        A: Serialize,
        R: DeserializeOwned,
    {
        let args = codec::encode(args).map_err(RpcError::Encode)?;
        let reply = self.call_bytes(rpc.service(), rpc.method(), args).await?;
        codec::decode(&reply).map_err(|e| {
            tracing::error!(end = %self.name, %rpc, error = %e, "cannot decode RPC reply");
            if let Via::Simulated(_) = self.via {
                sim::fail_world(format!(
                    "labrpc: the reply of {rpc} does not decode as the caller's type: {e} \
                     (the course's labrpc aborts the test on this)"
                ));
            }
            RpcError::BadReply(e)
        })
    }

    /// Calls `service.method` with request bytes of the caller's making, and returns the
    /// reply's bytes: for tests of what a server does with bytes that do not decode, which
    /// a real transport meets. Everything else calls through an [`Rpc`] descriptor.
    ///
    /// # Errors
    /// As [`ClientEnd::call`].
    pub async fn call_bytes(
        &self,
        service: &'static str,
        method: &'static str,
        args: Vec<u8>,
    ) -> Result<Vec<u8>, RpcError> {
        let call = async {
            match &self.via {
                Via::Simulated(net) => net.carry(&self.name, (service, method), args).await,
                Via::Remote(transport) => transport.call(service, method, args).await,
            }
        };
        let end = self.name.clone();
        sim::waiting_for(
            || Wait::Rpc {
                service,
                method,
                end,
            },
            call,
        )
        .await
    }
}
