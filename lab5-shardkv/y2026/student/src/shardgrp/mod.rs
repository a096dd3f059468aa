//! The course's `shardgrp` package: a shard group, three replicas on the rsm that serve
//! the shards the configuration gives them and hand them over when the controller asks.
//!
//! - [`rpc`]: `FreezeShard`, `InstallShard`, `DeleteShard` (given);
//! - [`server`]: [`ShardGrpServer`], one replica, and the group's state machine;
//! - [`clerk`]: [`Clerk`], a client of one group, used by the KV clerk and the controller.

pub mod clerk;
pub mod rpc;
pub mod server;

pub use clerk::Clerk;
pub use server::ShardGrpServer;
