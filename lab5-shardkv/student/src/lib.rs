//! Lab 5: a sharded key/value service. The keys are split into [`N_SHARDS`] shards; the
//! shard controller ([`ctrler`]) keeps the numbered sequence of configurations that say
//! which replica group serves each shard. Yours to write: read `README.md` ("Do it
//! yourself").
//!
//! - [`config`]: [`Config`] and [`key_to_shard`] (given);
//! - [`ctrler`]: the shard controller: its server, clerk, RPCs (5A's first part);
//! - [`shardkv`]: the replica groups that serve the shards, and their clerk.

pub mod config;
pub mod ctrler;
pub mod shardkv;

pub use config::{Config, N_SHARDS, key_to_shard};
pub use shardkv::{Clerk, ShardKv};
