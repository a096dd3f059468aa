//! The 2026 course's 3C tests. The first two are its own: it kills and restarts servers
//! where the 2024 course cut them off and restarted them. The rest are the scenarios both
//! editions share ([`lab3_raft::tester::scenarios::persistence`]).

use common::sim;
use lab3_raft::tester::scenarios::persistence;
use lab3_raft::tester::{RAFT_ELECTION_TIMEOUT, RaftHarness, cmd};
use lab3_raft_2026::tester::Test;

/// The course's `TestPersist13C`.
#[test]
fn test_persist1_3c() {
    sim::run(|| async {
        let servers = 3;
        let mut t = Test::new(servers, true, false);
        t.begin("Test (3C): basic persistence");
        t.one(cmd(11), servers, true).await;
        let all: Vec<usize> = (0..servers).collect();
        t.kill(&all);
        t.restart_all(&all);
        t.one(cmd(12), servers, true).await;
        let leader1 = t.check_one_leader().await;
        t.kill(&[leader1]);
        t.restart_all(&[leader1]);
        t.one(cmd(13), servers, true).await;
        let leader2 = t.check_one_leader().await;
        t.kill(&[leader2]);
        t.one(cmd(14), servers - 1, true).await;
        t.restart_all(&[leader2]);
        // Wait for leader2 to join before killing i3.
        t.wait(4, servers, None).await;
        let i3 = (t.check_one_leader().await + 1) % servers;
        t.kill(&[i3]);
        t.one(cmd(15), servers - 1, true).await;
        t.restart_all(&[i3]);
        t.one(cmd(16), servers, true).await;
        t.cleanup();
    });
}

/// The course's `TestPersist23C`.
#[test]
fn test_persist2_3c() {
    sim::run(|| async {
        let servers = 5;
        let mut t = Test::new(servers, true, false);
        t.begin("Test (3C): more persistence");
        let mut index = 1;
        for _ in 0..5 {
            t.one(cmd(10 + index), servers, true).await;
            index += 1;
            let leader1 = t.check_one_leader().await;
            let peer = |k: usize| (leader1 + k) % servers;
            t.kill(&[peer(1), peer(2)]);
            t.one(cmd(10 + index), servers - 2, true).await;
            index += 1;
            t.kill(&[peer(0), peer(3), peer(4)]);
            t.restart_all(&[peer(1), peer(2)]);
            sim::sleep(RAFT_ELECTION_TIMEOUT).await;
            t.restart_all(&[peer(3)]);
            t.one(cmd(10 + index), servers - 2, true).await;
            index += 1;
            t.restart_all(&[peer(4), peer(0)]);
        }
        t.one(cmd(1000), servers, true).await;
        t.cleanup();
    });
}

#[test]
fn test_persist3_3c() {
    sim::run(persistence::persist3_3c::<Test>);
}

#[test]
fn test_figure8_3c() {
    sim::run(persistence::figure8_3c::<Test>);
}

#[test]
fn test_unreliable_agree_3c() {
    sim::run(persistence::unreliable_agree_3c::<Test>);
}

#[test]
fn test_figure8_unreliable_3c() {
    sim::run(persistence::figure8_unreliable_3c::<Test>);
}

#[test]
fn test_reliable_churn_3c() {
    sim::run(|| persistence::internal_churn::<Test>(false));
}

#[test]
fn test_unreliable_churn_3c() {
    sim::run(|| persistence::internal_churn::<Test>(true));
}
