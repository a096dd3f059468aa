//! [`Server`] and [`Service`]: the receiving side of the fake network.
//!
//! A service is a name plus typed async handlers, each registered under its [`Rpc`]
//! descriptor; a server is a set of services and a count of the requests that reached it.
//! Arguments arrive as bytes and are decoded here: bytes that do not decode become
//! [`RpcError::BadRequest`], answered to the caller, never a panic (a real transport meets
//! such bytes). A request for a method the server does not have is a bug in the caller:
//! the simulated network fails its world at once, naming the method, as the course's
//! labrpc aborts the test; the real transport answers the caller with the error.

use super::{Rpc, RpcError};
use crate::codec;
use futures::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::Instrument;

type Handler = Arc<dyn Fn(Vec<u8>) -> BoxFuture<'static, Result<Vec<u8>, RpcError>> + Send + Sync>;

/// A named set of RPC handlers, e.g. the `Raft` service with `RequestVote` and
/// `AppendEntries`.
///
/// ```
/// use common::labrpc::{Rpc, Service};
/// const TWICE: Rpc<u64, u64> = Rpc::new("Echo", "Twice");
/// let svc = Service::new("Echo").handle(TWICE, |x| async move { 2 * x });
/// assert_eq!(svc.name(), "Echo");
/// ```
#[derive(Clone)]
pub struct Service {
    name: String,
    methods: HashMap<String, Handler>,
}

impl Service {
    /// An empty service called `name`.
    pub fn new(name: impl Into<String>) -> Service {
        Service {
            name: name.into(),
            methods: HashMap::new(),
        }
    }

    /// The service's name, the part before the dot in `Service.Method`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds the handler of `rpc`: it takes the decoded arguments and returns the reply. It
    /// runs in a task of its own, to completion, even if the caller gives up.
    ///
    /// # Panics
    /// If `rpc` belongs to another service, or its method already has a handler: both are
    /// bugs in the code that builds the service.
    #[track_caller]
    pub fn handle<A, R, F, Fut>(mut self, rpc: Rpc<A, R>, handler: F) -> Service
    where
        A: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        assert_eq!(
            rpc.service(),
            self.name,
            "labrpc: {rpc} registered in service {:?}",
            self.name
        );
        assert!(
            !self.methods.contains_key(rpc.method()),
            "labrpc: {rpc} registered twice"
        );
        let full_name = rpc.to_string();
        let handler: Handler = Arc::new(move |bytes: Vec<u8>| match codec::decode::<A>(&bytes) {
            Ok(args) => {
                let reply = handler(args);
                Box::pin(async move { codec::encode(&reply.await).map_err(RpcError::Encode) })
            }
            Err(e) => {
                tracing::warn!(method = %full_name, error = %e, "cannot decode RPC arguments");
                Box::pin(std::future::ready(Err(RpcError::BadRequest(e))))
            }
        });
        self.methods.insert(rpc.method().to_string(), handler);
        self
    }
}

struct ServerInner {
    services: Mutex<HashMap<String, Service>>,
    count: AtomicU64,
    /// The span current when the server was made (the tester's `server` span, with the
    /// server's `group` and `peer`), in which its handlers run, so their logs say whose
    /// they are.
    span: tracing::Span,
}

impl Default for ServerInner {
    fn default() -> Self {
        ServerInner {
            services: Mutex::default(),
            count: AtomicU64::default(),
            span: tracing::Span::current(),
        }
    }
}

/// A server of the fake network: services plus a count of delivered requests.
/// Cloning gives another handle to the same server.
#[derive(Clone, Default)]
pub struct Server {
    inner: Arc<ServerInner>,
}

impl Server {
    /// A server with no services.
    pub fn new() -> Server {
        Server::default()
    }

    /// Adds (or replaces) a service.
    pub fn add_service(&self, service: Service) {
        super::lock(&self.inner.services).insert(service.name.clone(), service);
    }

    /// Requests that reached this server (delivered, whatever their outcome).
    pub fn count(&self) -> u64 {
        self.inner.count.load(Ordering::Relaxed)
    }

    pub(super) fn same(&self, other: &Server) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Looks the handler of `service.method` up and starts it on `args`; counts the
    /// request as delivered. The returned future is the handler's reply, running in the
    /// span the server was made in. This is how a transport (the simulated network, or
    /// [`crate::net`]'s TCP server) hands a request to the server.
    ///
    /// # Errors
    /// [`RpcError::UnknownService`] or [`RpcError::UnknownMethod`] when the server does not
    /// have the method: the simulated network fails its world on this (see the module
    /// documentation); a real transport answers the caller with it.
    pub fn dispatch(
        &self,
        service: &str,
        method: &str,
        args: Vec<u8>,
    ) -> Result<BoxFuture<'static, Result<Vec<u8>, RpcError>>, RpcError> {
        self.inner.count.fetch_add(1, Ordering::Relaxed);
        let handler = self.handler(service, method)?;
        Ok(Box::pin(handler(args).instrument(self.inner.span.clone())))
    }

    fn handler(&self, service: &str, method: &str) -> Result<Handler, RpcError> {
        let services = super::lock(&self.inner.services);
        let found = services
            .get(service)
            .ok_or_else(|| RpcError::UnknownService(service.to_string()))?;
        found
            .methods
            .get(method)
            .cloned()
            .ok_or_else(|| RpcError::UnknownMethod(format!("{service}.{method}")))
    }
}
