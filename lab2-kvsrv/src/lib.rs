//! Lab 2: a single-server key/value service with exactly-once Put and Append over a network
//! that loses requests and replies.
//!
//! - [`server`]: [`KvServer`], the thin RPC layer over the pure state machine
//!   [`common::kv_state::KvState`] (the map, and the duplicate table that makes a retried
//!   Put or Append take effect once while keeping memory bounded; Lab 4 replicates the
//!   same state machine);
//! - [`clerk`]: [`Clerk`], which numbers its writes and retries until it gets an answer;
//! - [`rpc`]: the messages;
//! - [`tester`]: the course's test harness (network, clerks, recorded history).

pub mod clerk;
pub mod rpc;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::KvServer;
