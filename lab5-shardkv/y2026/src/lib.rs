//! Lab 5 of the 2026 course: a sharded key/value service (`shardkv1`), a new design since
//! 2025 (the 2024 lab is the crate `lab5-shardkv`).
//!
//! The keys are split into [`shardcfg::N_SHARDS`] shards. Shard groups, each three Raft
//! replicas on the 2026 rsm, serve them; the configuration says which group serves which.
//! The controller is a library, not a service: it keeps the configurations in a Lab 2 KV
//! server and moves shards itself, freezing a shard at its old group, installing it at
//! the new one and deleting the old copy, before it posts the new configuration. Every
//! shard request names the change's configuration number, and a group refuses one older
//! than it has seen: that is what keeps a controller that crashed, or was cut off and
//! came back, from undoing a newer one's work (Parts B and C).
//!
//! - [`shardcfg`]: the configuration, `Rebalance` and the key hash, as the course gives them;
//! - [`shardgrp`]: a shard group: its state machine (every fencing rule), server and clerk;
//! - [`shardctrler`]: the controller, with its decisions as pure functions;
//! - [`clerk`]: [`Clerk`], the service's client, which finds each key's group;
//! - [`tester`]: the course's `shardkv1/test.go`.

pub mod clerk;
pub mod shardcfg;
pub mod shardctrler;
pub mod shardgrp;
pub mod tester;

pub use clerk::Clerk;
pub use shardctrler::ShardCtrler;
