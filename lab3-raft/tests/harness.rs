//! The harness catches what the course's catches: each test here runs a deliberately
//! mistaken Raft (or service) through a course test's scenario and checks that the
//! tester fails it, as the course's Go harness would.

use common::persister::Persister;
use common::sim::{self, Builder};
use lab3_raft::tester::{SNAPSHOT_INTERVAL, Tester, WrapPersister, cmd};
use std::sync::Arc;

/// A Raft that never reads its snapshot back after a restart: it starts with none, so its
/// first save after the restart saves none. The persister stands in for that mistake by
/// hiding the snapshot from the Raft (the tester still sees it).
struct ForgetsSnapshot(Arc<dyn Persister>);

impl Persister for ForgetsSnapshot {
    fn read_raft_state(&self) -> Vec<u8> {
        self.0.read_raft_state()
    }
    fn read_snapshot(&self) -> Vec<u8> {
        Vec::new()
    }
    fn save(&self, raft_state: Vec<u8>, snapshot: Arc<[u8]>) {
        self.0.save(raft_state, snapshot);
    }
    fn raft_state_size(&self) -> usize {
        self.0.raft_state_size()
    }
    fn snapshot_size(&self) -> usize {
        self.0.snapshot_size()
    }
}

/// `test_snapshot_init_3d`'s scenario: enough commands for a snapshot, then twice a crash
/// of every peer, a restart and one more command; each peer's Raft gets `wrap(persister)`.
async fn snapshot_init(wrap: WrapPersister) {
    let servers = 3;
    let mut t = Tester::with_wrapped_persisters(servers, false, true, wrap);
    t.one(cmd(1), servers, true).await;
    for k in 0..=SNAPSHOT_INTERVAL {
        t.one(cmd(100 + k), servers, true).await;
    }
    for round in 0..2 {
        for i in 0..servers {
            t.crash1(i);
        }
        for i in 0..servers {
            t.start1(i);
            t.connect(i);
        }
        t.one(cmd(1000 + round), servers, true).await;
    }
}

/// A Raft that forgets its snapshot on restart fails `test_snapshot_init_3d`'s scenario.
/// The persister's save replaces the snapshot too (the course's `Save`), so the snapshot is
/// gone after the first save, and the second restart finds a log that starts after a
/// snapshot nobody has. Under the old semantics (a save without a snapshot kept the old
/// one) this Raft passed.
#[test]
fn a_raft_that_drops_its_snapshot_on_restart_fails_snapshot_init() {
    let failure = Builder::new()
        .seed(1)
        .try_run(|| snapshot_init(Arc::new(|p| Arc::new(ForgetsSnapshot(p)))))
        .expect_err("a Raft that loses its snapshot must fail");
    assert!(
        failure.message.contains("apply error"),
        "{}",
        failure.message
    );
}

/// The same scenario on the reference Raft passes: the test above fails for the mistake,
/// not for the scenario.
#[test]
fn the_reference_raft_passes_the_same_scenario() {
    sim::run(|| snapshot_init(Arc::new(|p| p)));
}
