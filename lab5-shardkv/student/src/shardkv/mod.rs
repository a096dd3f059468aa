//! The sharded key/value service: replica groups, each a Raft cluster, each serving the
//! shards the controller's configuration gives it, and handing shards over to each other
//! when the configuration changes.
//!
//! - [`server`]: [`ShardKv`], one server of a group;
//! - [`clerk`]: the sharded service's [`Clerk`] (given, as in the course; extend it);
//! - [`rpc`]: the `ShardKV` service's RPCs (add the ones your shard handoff needs);
//! - [`ends`]: ends to other servers by name (given);
//! - [`tester`]: the course's `shardkv/config.go` (do not edit).

pub mod clerk;
pub mod ends;
pub mod rpc;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::ShardKv;
