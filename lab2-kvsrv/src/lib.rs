//! Lab 2: a single-server key/value service with exactly-once Put and Append over a network
//! that loses requests and replies.
//!
//! - [`state`]: the pure state machine: the map, and the duplicate table that makes a
//!   retried Put or Append take effect once while keeping memory bounded;
//! - [`server`]: [`KvServer`], the thin RPC layer over it;
//! - [`clerk`]: [`Clerk`], which numbers its writes and retries until it gets an answer;
//! - [`rpc`]: the messages;
//! - [`tester`]: the course's test harness (network, clerks, recorded history).

pub mod clerk;
pub mod rpc;
pub mod server;
pub mod state;
pub mod tester;

pub use clerk::Clerk;
pub use server::KvServer;
