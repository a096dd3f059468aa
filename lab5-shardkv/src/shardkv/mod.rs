//! The sharded key/value service: replica groups, each a Raft cluster, each serving the
//! shards the controller's configuration gives it (static sharding: Lab 5A).
//!
//! - [`machine`]: [`machine::ShardKvMachine`], a group's state machine (Lab 4's KV
//!   machine plus the configuration, checked when an operation is applied);
//! - [`server`]: [`ShardKv`], its RPC service and the controller poller;
//! - [`clerk`]: the sharded service's [`Clerk`];
//! - [`tester`]: the course's `shardkv/config.go`.

pub mod clerk;
pub mod machine;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::ShardKv;
