//! Lab 4: a fault-tolerant key/value service on Raft, linearizable, with snapshots.
//!
//! - [`rsm`]: [`rsm::Rsm`], the driver of a replicated state machine: proposes client
//!   commands to Raft, applies committed ones in log order, answers the client whose
//!   entry it was, and snapshots; shared with Lab 5's services;
//! - [`machine`]: [`machine::KvMachine`], the key/value state machine for the log (Lab 2's
//!   state machine and duplicate table, from `common`);
//! - [`server`]: [`KvServer`], the `KVServer` RPC service of one replica;
//! - [`clerk`]: [`Clerk`], which finds the leader and retries with numbered writes;
//! - [`rpc`]: the messages;
//! - [`real`]: what the real cluster's server binaries share (`src/bin`: `kvraft-server`
//!   and the client `kv`; Lab 5's servers use it too);
//! - [`tester`]: the course's harness (`kvraft/config.go`) and its generic tests.

pub mod clerk;
pub mod machine;
pub mod real;
pub mod rpc;
pub mod rsm;
pub mod server;
pub mod tester;

/// The fuzz harness: a `cargo test` here, and `cargo fuzz` targets in `scripts/fuzz`
/// (feature `fuzzing`).
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;

pub use clerk::Clerk;
pub use server::KvServer;
