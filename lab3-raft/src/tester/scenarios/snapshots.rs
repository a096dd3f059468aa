//! The 3D scenarios (log compaction), the same in both editions but for their titles
//! and networks, which the tests give.

use super::super::{Edition, MAX_LOG_SIZE, RaftHarness, SNAPSHOT_INTERVAL};
use super::random_cmd;
use common::sim::{self, RngExt};

/// The course's `snapcommon`: 30 rounds in which a victim is cut off or crashed while
/// commands pile up, so that it comes back needing a snapshot; the persisted Raft state
/// must stay under [`MAX_LOG_SIZE`] throughout.
pub async fn snapcommon<T: RaftHarness>(name: &str, disconnect: bool, reliable: bool, crash: bool) {
    const ITERS: usize = 30;
    let servers = 3;
    let mut t = T::make(servers, reliable, true);
    t.begin(name);
    t.one(random_cmd(), servers, true).await;
    let mut leader1 = t.check_one_leader().await;
    for i in 0..ITERS {
        let (mut victim, mut sender) = ((leader1 + 1) % servers, leader1);
        if i % 3 == 1 {
            (sender, victim) = ((leader1 + 1) % servers, leader1);
        }
        if disconnect {
            t.disconnect(victim);
            t.one(random_cmd(), servers - 1, true).await;
        }
        if crash {
            t.crash(victim);
            t.one(random_cmd(), servers - 1, true).await;
        }
        // Perhaps send enough to get a snapshot.
        let nn = (SNAPSHOT_INTERVAL / 2) + sim::rng(|r| r.random_range(0..SNAPSHOT_INTERVAL));
        for _ in 0..nn {
            if let Some(raft) = t.raft(sender) {
                let _ = raft.start(random_cmd());
            }
        }
        // Let applier threads catch up with the Start()s.
        if !disconnect && !crash {
            // Make sure all followers have caught up, so that an InstallSnapshot RPC is
            // not required for catching up.
            t.one(random_cmd(), servers, true).await;
        } else {
            t.one(random_cmd(), servers - 1, true).await;
        }
        let size = t.raft_size();
        let what = match T::EDITION {
            Edition::Y2024 => "Log size too large",
            Edition::Y2026 => "Raft size too large",
        };
        assert!(size < MAX_LOG_SIZE, "{what}: {size} (limit {MAX_LOG_SIZE})");
        if disconnect {
            // Reconnect a follower, who may be behind and need to receive a snapshot.
            t.connect(victim);
            t.one(random_cmd(), servers, true).await;
            leader1 = t.check_one_leader().await;
        }
        if crash {
            t.restart(victim);
            t.one(random_cmd(), servers, true).await;
            leader1 = t.check_one_leader().await;
        }
    }
    t.end();
}

/// Crashes every peer, then restarts each.
fn crash_and_restart_all<T: RaftHarness>(t: &mut T) {
    for i in 0..t.n() {
        t.crash(i);
    }
    for i in 0..t.n() {
        t.restart(i);
    }
}

/// Every peer crashes at once, repeatedly: all must come back from their snapshots and
/// go on from where they were, never reusing an index.
/// On a reliable network in 2024, an unreliable one in 2026.
pub async fn snapshot_all_crash_3d<T: RaftHarness>(reliable: bool) {
    let servers = 3;
    let iters = 5;
    let mut t = T::make(servers, reliable, true);
    t.begin("Test (3D): crash and restart all servers");
    t.one(random_cmd(), servers, true).await;
    for _ in 0..iters {
        // Perhaps enough to get a snapshot.
        let nn = (SNAPSHOT_INTERVAL / 2) + sim::rng(|r| r.random_range(0..SNAPSHOT_INTERVAL));
        for _ in 0..nn {
            t.one(random_cmd(), servers, true).await;
        }
        let index1 = t.one(random_cmd(), servers, true).await;
        // Crash all, then revive all.
        crash_and_restart_all(&mut t);
        let index2 = t.one(random_cmd(), servers, true).await;
        assert!(index2 > index1, "index decreased from {index1} to {index2}");
    }
    t.end();
}

/// A restarted peer must read its snapshot back, keep it through its next save, and not
/// apply again what the snapshot holds.
/// On a reliable network in 2024, an unreliable one in 2026.
pub async fn snapshot_init_3d<T: RaftHarness>(reliable: bool) {
    let servers = 3;
    let mut t = T::make(servers, reliable, true);
    t.begin("Test (3D): snapshot initialization after crash");
    t.one(random_cmd(), servers, true).await;
    // Enough ops to make a snapshot.
    let nn = SNAPSHOT_INTERVAL + 1;
    for _ in 0..nn {
        t.one(random_cmd(), servers, true).await;
    }
    // Crash and restart all: each reads its snapshot.
    crash_and_restart_all(&mut t);
    // A single op, to get something written back to persistent storage.
    t.one(random_cmd(), servers, true).await;
    // Crash and restart all again: a Raft that lost its snapshot on that save fails here.
    crash_and_restart_all(&mut t);
    // Do another op to trigger potential bug.
    t.one(random_cmd(), servers, true).await;
    t.end();
}
