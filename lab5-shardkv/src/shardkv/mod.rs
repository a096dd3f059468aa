//! The sharded key/value service: replica groups, each a Raft cluster, each serving the
//! shards the controller's configuration gives it, and handing shards over to each other
//! when the configuration changes.
//!
//! - [`shard`]: a shard's status in its handoff between two groups;
//! - [`machine`]: [`machine::ShardKvMachine`], a group's state machine;
//! - [`server`]: [`ShardKv`], its RPC service and background tasks;
//! - [`migration`]: the pulls and deletion requests between groups;
//! - [`rpc`]: the `ShardKV` service's typed RPC descriptors;
//! - [`ends`]: ends to other servers by name;
//! - [`clerk`]: the sharded service's [`Clerk`];
//! - [`tester`]: the course's `shardkv/config.go`.

pub mod clerk;
pub mod ends;
pub mod machine;
pub mod migration;
pub mod rpc;
pub mod server;
pub mod shard;
pub mod tester;

pub use clerk::Clerk;
pub use server::ShardKv;
