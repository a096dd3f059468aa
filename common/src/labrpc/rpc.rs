//! [`Rpc`]: a typed descriptor of one RPC method, used both to register its handler and
//! to call it, so a caller and a handler cannot disagree on a name or a type.
//!
//! ```
//! use common::labrpc::{Network, Rpc, Server, Service};
//! use common::sim;
//!
//! /// The one place the method is named.
//! const TWICE: Rpc<u64, u64> = Rpc::new("Echo", "Twice");
//!
//! sim::run(|| async {
//!     let net = Network::new();
//!     let server = Server::new();
//!     server.add_service(Service::new("Echo").handle(TWICE, |x| async move { 2 * x }));
//!     net.add_server("echo", server);
//!     let end = net.make_end("client");
//!     net.connect("client", "echo");
//!     net.enable("client", true);
//!     assert_eq!(end.call(TWICE, &21).await, Ok(42));
//! });
//! ```

use std::fmt;
use std::marker::PhantomData;

/// Method `method` of service `service`, taking `A` and answering `R` (the course's
/// `"Service.Method"` string, with its types attached).
///
/// A caller cannot send other arguments or expect another reply than the handler's:
///
/// ```compile_fail
/// # use common::labrpc::{ClientEnd, Rpc};
/// const TWICE: Rpc<u64, u64> = Rpc::new("Echo", "Twice");
/// async fn wrong_reply(end: ClientEnd) {
///     let _: Result<String, _> = end.call(TWICE, &1u64).await; // a u64 comes back
/// }
/// ```
///
/// ```compile_fail
/// # use common::labrpc::{ClientEnd, Rpc};
/// const TWICE: Rpc<u64, u64> = Rpc::new("Echo", "Twice");
/// async fn wrong_args(end: ClientEnd) {
///     let _ = end.call(TWICE, &"two").await; // the handler takes a u64
/// }
/// ```
pub struct Rpc<A, R> {
    service: &'static str,
    method: &'static str,
    types: PhantomData<fn(A) -> R>,
}

impl<A, R> Rpc<A, R> {
    /// The descriptor of `service.method`; declare each one once, as a `const`.
    pub const fn new(service: &'static str, method: &'static str) -> Rpc<A, R> {
        Rpc {
            service,
            method,
            types: PhantomData,
        }
    }

    /// The service's name, the part before the dot.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The method's name, the part after the dot.
    pub fn method(&self) -> &'static str {
        self.method
    }
}

// By hand: derived impls would require `A` and `R` to be `Copy` too.
impl<A, R> Clone for Rpc<A, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A, R> Copy for Rpc<A, R> {}

impl<A, R> fmt::Display for Rpc<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.service, self.method)
    }
}

impl<A, R> fmt::Debug for Rpc<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rpc({self})")
    }
}
