//! Lab 3 of the 2026 course (`raft1`): the same Raft as the 2024 lab, under the 2026
//! harness.
//!
//! The protocol and its 28 tests did not change; the harness did. Each server runs as
//! its own process in the course and is killed with SIGKILL: there is no `Kill()` to
//! implement, a crash stops the whole server at once, and what it had persisted when the
//! tester checkpointed it is all its successor gets. A restarted server is connected at
//! once. Two 3D tests moved to an unreliable network, and the lines printed are the
//! 2026 framework's.
//!
//! - [`tester`]: the course's `raft1/test.go` and `server.go` on the shared framework
//!   (`common::tester1`), with the checks of the 2024 tester (`lab3_raft::tester::checks`);
//! - the tests (`tests/raft1_3*.rs`): most run the scenarios both editions share
//!   (`lab3_raft::tester::scenarios`); 3C's first two are the 2026 course's own.

pub mod tester;

pub use lab3_raft::Raft;
