//! Shared harness of the lab crates.
//!
//! Everything two labs need lives here, so that no lab copies another:
//! - [`sim`]: the deterministic simulation runtime (virtual time, one seeded RNG per world,
//!   panics and deadlocks turned into test failures with a replayable seed);
//! - [`labrpc`]: the course's fake network (drops, delays, reordering, partitions, counts);
//! - [`links`]: which servers of a service reach which (connect, disconnect, partition);
//! - [`persister`]: the [`persister::Persister`] trait, the in-memory persister the
//!   testers crash and restart servers with, and the one on disk of the real cluster;
//! - [`net`]: the real network, labrpc's calls over TCP with the cluster key;
//! - [`codec`]: the one wire and storage encoding, which never panics on bad bytes;
//! - [`ApplyMsg`]: what Raft hands its service;
//! - [`kv_checks`]: the course's checks of appended values (`checkClntAppends`);
//! - [`linearizability`]: the checker of recorded KV histories, with a picture of a failure;
//! - [`report`]: the course-style summary line a ported test prints when it passes;
//! - [`fuzz`]: seeded random and mutated inputs for the labs' fuzz tests;
//! - [`hash`]: the fixed string hash that places keys (FNV-1a);
//! - [`tester1`] and [`kvtest`]: the 2026 edition's shared test framework and KV test
//!   toolkit (its versioned RPCs, clerk interface, workloads and recorded history).

pub mod apply_msg;
pub mod codec;
pub mod fuzz;
pub mod hash;
pub mod kv_checks;
pub mod kvtest;
pub mod labrpc;
pub mod linearizability;
pub mod links;
pub mod net;
pub mod persister;
pub mod report;
pub mod sim;
pub mod tester1;

pub use apply_msg::ApplyMsg;
