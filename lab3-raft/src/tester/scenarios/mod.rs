//! The course's Lab 3 tests whose steps are the same in the 2024 and 2026 editions,
//! written once over [`RaftHarness`](super::RaftHarness): each edition's test files run
//! them on its own tester (`sim::run(scenarios::basic_agree_3b::<Tester>)`). The
//! editions differ in their testers, not here: how a crash and a restart happen, which
//! lines are printed, and (in 3D) the network and title some tests take.

pub mod election;
pub mod persistence;
pub mod replication;
pub mod snapshots;

use super::{RAFT_ELECTION_TIMEOUT, cmd};
use common::sim::{self, RngExt};
use std::time::Duration;

/// A random command, as the course's `rand.Int()` ones.
pub fn random_cmd() -> Vec<u8> {
    cmd(sim::rng(|r| r.random::<u32>().into()))
}

/// The course's sleep in the Figure 8 tests: usually under 13 ms, one time in ten up to
/// half a second.
pub fn figure8_pause() -> Duration {
    let ms = sim::rng(|r| {
        if r.random_range(0..1000) < 100 {
            r.random_range(0..RAFT_ELECTION_TIMEOUT.as_millis() as u64 / 2)
        } else {
            r.random_range(0..13)
        }
    });
    Duration::from_millis(ms)
}
