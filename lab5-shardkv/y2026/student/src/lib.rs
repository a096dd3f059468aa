//! Lab 5 of the 2026 course: a sharded key/value service (`shardkv1`). Yours to write:
//! read `lab5-shardkv/README.md` ("Do it yourself: the 2026 edition").
//!
//! - [`shardcfg`]: the configuration, `Rebalance` and the key hash (given; do not edit);
//! - [`shardgrp`]: a shard group: its server on your Lab 4 rsm, and its clerk; the shard
//!   RPCs' messages (`shardgrp::rpc`) are given;
//! - [`shardctrler`]: the controller, a library that keeps the configurations in your
//!   Lab 2 KV server and moves shards;
//! - [`clerk`]: [`Clerk`], the service's client;
//! - [`tester`]: the course's test harness (do not edit).

pub mod clerk;
pub mod shardcfg;
pub mod shardctrler;
pub mod shardgrp;
pub mod tester;

pub use clerk::Clerk;
pub use shardctrler::ShardCtrler;
