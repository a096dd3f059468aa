//! Lab 2: a single-server key/value service with exactly-once Put and Append over a network
//! that loses requests and replies. Yours to write: read `README.md` ("Do it yourself").
//!
//! - [`server`]: [`KvServer`], the server and its RPC handlers;
//! - [`clerk`]: [`Clerk`], the client library the tests call;
//! - [`rpc`]: the RPCs' arguments and descriptors;
//! - [`tester`]: the course's test harness (do not edit).

pub mod clerk;
pub mod rpc;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::KvServer;
