//! Lab 2: a single-server key/value service with exactly-once Put and Append over a network
//! that loses requests and replies.
//!
//! - [`server`]: [`KvServer`], the thin RPC layer over the pure state machine;
//! - [`kv_state`]: [`kv_state::KvState`], that state machine: the map, and the duplicate
//!   table ([`dedup`]) that makes a retried Put or Append take effect once while keeping
//!   memory bounded. Labs 4 and 5 replicate the same state machine and table, so they are
//!   this lab's answer that later labs build on; [`old_values`] keeps the Append replies
//!   a retry may need without copying the values;
//! - [`clerk`]: [`Clerk`], which numbers its writes and retries until it gets an answer;
//! - [`rpc`]: the messages, and the numbering of a clerk's writes (Labs 4 and 5 reuse both);
//! - [`tester`]: the course's test harness (network, clerks, recorded history).

pub mod clerk;
pub mod dedup;
pub mod kv_state;
pub mod old_values;
pub mod rpc;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::KvServer;
