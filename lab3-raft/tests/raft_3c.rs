//! The course's 3C tests: persistence. The first two are the 2024 course's own (the 2026
//! edition crashes and restarts differently in them); the rest have the same steps in
//! both editions and live in [`lab3_raft::tester::scenarios::persistence`].

use common::sim;
use lab3_raft::tester::{RAFT_ELECTION_TIMEOUT, Tester, cmd, scenarios};

#[test]
fn test_persist1_3c() {
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::new(servers, false);
        t.begin("Test (3C): basic persistence");
        t.one(cmd(11), servers, true).await;
        // Crash and restart all.
        for i in 0..servers {
            t.start1(i);
        }
        for i in 0..servers {
            t.disconnect(i);
            t.connect(i);
        }
        t.one(cmd(12), servers, true).await;
        let leader1 = t.check_one_leader().await;
        t.disconnect(leader1);
        t.start1(leader1);
        t.connect(leader1);
        t.one(cmd(13), servers, true).await;
        let leader2 = t.check_one_leader().await;
        t.disconnect(leader2);
        t.one(cmd(14), servers - 1, true).await;
        t.start1(leader2);
        t.connect(leader2);
        // Wait for leader2 to join before killing i3.
        t.wait(4, servers, None).await;
        let i3 = (t.check_one_leader().await + 1) % servers;
        t.disconnect(i3);
        t.one(cmd(15), servers - 1, true).await;
        t.start1(i3);
        t.connect(i3);
        t.one(cmd(16), servers, true).await;
        t.end();
    });
}

#[test]
fn test_persist2_3c() {
    sim::run(|| async {
        let servers = 5;
        let mut t = Tester::new(servers, false);
        t.begin("Test (3C): more persistence");
        let mut index = 1;
        for _ in 0..5 {
            t.one(cmd(10 + index), servers, true).await;
            index += 1;
            let leader1 = t.check_one_leader().await;
            t.disconnect((leader1 + 1) % servers);
            t.disconnect((leader1 + 2) % servers);
            t.one(cmd(10 + index), servers - 2, true).await;
            index += 1;
            t.disconnect(leader1 % servers);
            t.disconnect((leader1 + 3) % servers);
            t.disconnect((leader1 + 4) % servers);
            t.start1((leader1 + 1) % servers);
            t.start1((leader1 + 2) % servers);
            t.connect((leader1 + 1) % servers);
            t.connect((leader1 + 2) % servers);
            sim::sleep(RAFT_ELECTION_TIMEOUT).await;
            t.start1((leader1 + 3) % servers);
            t.connect((leader1 + 3) % servers);
            t.one(cmd(10 + index), servers - 2, true).await;
            index += 1;
            t.connect((leader1 + 4) % servers);
            t.connect(leader1 % servers);
        }
        t.one(cmd(1000), servers, true).await;
        t.end();
    });
}

#[test]
fn test_persist3_3c() {
    sim::run(scenarios::persistence::persist3_3c::<Tester>);
}

#[test]
fn test_figure8_3c() {
    sim::run(scenarios::persistence::figure8_3c::<Tester>);
}

#[test]
fn test_unreliable_agree_3c() {
    sim::run(scenarios::persistence::unreliable_agree_3c::<Tester>);
}

#[test]
fn test_figure8_unreliable_3c() {
    sim::run(scenarios::persistence::figure8_unreliable_3c::<Tester>);
}

#[test]
fn test_reliable_churn_3c() {
    sim::run(|| scenarios::persistence::internal_churn::<Tester>(false));
}

#[test]
fn test_unreliable_churn_3c() {
    sim::run(|| scenarios::persistence::internal_churn::<Tester>(true));
}
