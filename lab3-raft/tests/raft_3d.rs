//! The course's 3D tests: log compaction with snapshots. Their steps are the same in the
//! 2026 edition, which changed two titles and two networks: they live in
//! [`lab3_raft::tester::scenarios::snapshots`], run here on the 2024 tester with the
//! 2024 titles and networks.

use common::sim;
use lab3_raft::tester::scenarios::snapshots::{self, snapcommon};
use lab3_raft::tester::{Tester, scenarios};

#[test]
fn test_snapshot_basic_3d() {
    sim::run(|| snapcommon::<Tester>("Test (3D): snapshots basic", false, true, false));
}

#[test]
fn test_snapshot_install_3d() {
    sim::run(|| {
        snapcommon::<Tester>(
            "Test (3D): install snapshots (disconnect)",
            true,
            true,
            false,
        )
    });
}

#[test]
fn test_snapshot_install_unreliable_3d() {
    sim::run(|| {
        snapcommon::<Tester>(
            "Test (3D): install snapshots (disconnect+unreliable)",
            true,
            false,
            false,
        )
    });
}

#[test]
fn test_snapshot_install_crash_3d() {
    sim::run(|| snapcommon::<Tester>("Test (3D): install snapshots (crash)", false, true, true));
}

#[test]
fn test_snapshot_install_uncrash_3d() {
    sim::run(|| {
        snapcommon::<Tester>(
            "Test (3D): install snapshots (unreliable+crash)",
            false,
            false,
            true,
        )
    });
}

/// Reliable in 2024.
#[test]
fn test_snapshot_all_crash_3d() {
    sim::run(|| snapshots::snapshot_all_crash_3d::<Tester>(true));
}

/// Reliable in 2024.
#[test]
fn test_snapshot_init_3d() {
    sim::run(|| scenarios::snapshots::snapshot_init_3d::<Tester>(true));
}
