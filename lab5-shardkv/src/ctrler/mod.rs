//! The shard controller: a Raft-replicated service holding the numbered configurations.
//!
//! - [`rebalance`]: the pure assignment of shards to groups (balanced, fewest moves);
//! - [`machine`]: [`machine::CtrlerMachine`], Join/Leave/Move/Query as a state machine;
//! - [`server`]: [`ShardCtrler`], its RPC service on Lab 4's [`lab4_kvraft::rsm::Rsm`];
//! - [`clerk`]: the controller's [`Clerk`];
//! - [`tester`]: the course's `shardctrler/config.go`.

pub mod clerk;
pub mod machine;
pub mod rebalance;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::ShardCtrler;
