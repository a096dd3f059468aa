//! The shard controller: a Raft-replicated service holding the numbered configurations.
//!
//! - [`server`]: [`ShardCtrler`], one replica;
//! - [`clerk`]: the controller's [`Clerk`];
//! - [`rpc`]: Join, Leave, Move and Query;
//! - [`tester`]: the course's `shardctrler/config.go` (do not edit).

pub mod clerk;
pub mod rpc;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::ShardCtrler;
