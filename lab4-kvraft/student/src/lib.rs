//! Lab 4: a fault-tolerant key/value service on Raft, linearizable, with snapshots.
//! Yours to write: read `README.md` ("Do it yourself").
//!
//! - [`server`]: [`KvServer`], one replica: its Raft peer, its state, its RPC handlers;
//! - [`clerk`]: [`Clerk`], the client library the tests call;
//! - [`rpc`]: the RPCs' arguments, replies and descriptors;
//! - [`tester`]: the course's harness (`kvraft/config.go`); do not edit.

pub mod clerk;
pub mod rpc;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::KvServer;
