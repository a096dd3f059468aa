//! The course's `shardgrp` package: a shard group, three Raft replicas on the rsm that
//! serve the shards the configuration gives them and hand them over when the controller
//! asks.
//!
//! - [`rpc`]: `FreezeShard`, `InstallShard`, `DeleteShard` (`shardrpc`);
//! - [`machine`]: the group's state and every fencing rule, a pure state machine;
//! - [`server`]: [`ShardGrpServer`], one replica;
//! - [`clerk`]: [`Clerk`], a client of one group, used by the KV clerk and the controller.

pub mod clerk;
pub mod machine;
pub mod rpc;
pub mod server;

pub use clerk::Clerk;
pub use server::ShardGrpServer;
