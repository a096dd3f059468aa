//! Lab 5: a sharded key/value service. The keys are split into [`N_SHARDS`] shards; the
//! shard controller ([`ctrler`]) keeps the numbered sequence of configurations that say
//! which replica group serves each shard.
//!
//! - [`config`]: [`Config`] and [`key_to_shard`];
//! - [`ctrler`]: the shard controller: pure rebalancing, its state machine on Lab 4's
//!   replicated state machine driver, its server, clerk and tester;
//! - [`shardkv`]: the replica groups that serve the shards, and their clerk;
//! - [`real`]: both as the real cluster's server binaries run them (`src/bin`).

pub mod config;
pub mod ctrler;
pub mod real;
pub mod shardkv;

/// The fuzz harness: a `cargo test` here, and `cargo fuzz` targets in `scripts/fuzz`
/// (feature `fuzzing`).
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;

pub use config::{Config, N_SHARDS, key_to_shard};
pub use shardkv::{Clerk, ShardKv};
