//! The 2026 course's 3D tests: the scenarios both editions share
//! ([`lab3_raft::tester::scenarios::snapshots`]) with the 2026 titles (the unreliable
//! install tests print their reliable twins' titles; the network suffix tells them
//! apart) and networks (crash-and-restart-all and initialization are unreliable now).

use common::sim;
use lab3_raft::tester::scenarios::snapshots::{self, snapcommon};
use lab3_raft_2026::tester::Test;

#[test]
fn test_snapshot_basic_3d() {
    sim::run(|| snapcommon::<Test>("Test (3D): snapshots basic", false, true, false));
}

#[test]
fn test_snapshot_install_3d() {
    sim::run(|| {
        snapcommon::<Test>(
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
        snapcommon::<Test>(
            "Test (3D): install snapshots (disconnect)",
            true,
            false,
            false,
        )
    });
}

#[test]
fn test_snapshot_install_crash_3d() {
    sim::run(|| snapcommon::<Test>("Test (3D): install snapshots (crash)", false, true, true));
}

#[test]
fn test_snapshot_install_uncrash_3d() {
    sim::run(|| snapcommon::<Test>("Test (3D): install snapshots (crash)", false, false, true));
}

/// Unreliable in 2026.
#[test]
fn test_snapshot_all_crash_3d() {
    sim::run(|| snapshots::snapshot_all_crash_3d::<Test>(false));
}

/// Unreliable in 2026.
#[test]
fn test_snapshot_init_3d() {
    sim::run(|| snapshots::snapshot_init_3d::<Test>(false));
}
