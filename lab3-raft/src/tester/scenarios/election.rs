//! The 3A scenarios (leader election), the same in both editions.

use super::super::{RAFT_ELECTION_TIMEOUT, RaftHarness};
use common::sim::{self, RngExt};
use std::time::Duration;

/// The course's `TestInitialElection3A`.
pub async fn initial_election_3a<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3A): initial election");
    t.check_one_leader().await;
    // Let the followers hear the leader's term before comparing.
    sim::sleep(Duration::from_millis(50)).await;
    let term1 = t.check_terms();
    assert!(term1 >= 1, "term is {term1}, but should be at least 1");
    // Without failures, the leader and the term stay.
    sim::sleep(2 * RAFT_ELECTION_TIMEOUT).await;
    let term2 = t.check_terms();
    if term1 != term2 {
        println!("warning: term changed even though there were no failures");
    }
    t.check_one_leader().await;
    t.end();
}

/// The course's `TestReElection3A`.
pub async fn re_election_3a<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3A): election after network failure");
    let leader1 = t.check_one_leader().await;
    // The leader goes away: a new one must be elected.
    t.disconnect(leader1);
    t.check_one_leader().await;
    // The old leader comes back: that must not disturb the new one.
    t.connect(leader1);
    let leader2 = t.check_one_leader().await;
    // No quorum: no leader may be elected.
    t.disconnect(leader2);
    t.disconnect((leader2 + 1) % servers);
    sim::sleep(2 * RAFT_ELECTION_TIMEOUT).await;
    // The remaining one is a candidate, not a leader.
    t.check_no_leader();
    // A quorum again: a leader.
    t.connect((leader2 + 1) % servers);
    t.check_one_leader().await;
    // The last one rejoins: still one leader.
    t.connect(leader2);
    t.check_one_leader().await;
    t.end();
}

/// The course's `TestManyElections3A`.
pub async fn many_elections_3a<T: RaftHarness>() {
    let servers = 7;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3A): multiple elections");
    t.check_one_leader().await;
    for _ in 1..10 {
        // Disconnect three peers, perhaps the same one twice.
        let [i1, i2, i3] = sim::rng(|r| [(); 3].map(|()| r.random_range(0..servers)));
        t.disconnect(i1);
        t.disconnect(i2);
        t.disconnect(i3);
        // Either the old leader is still connected, or the remaining four or more
        // elect a new one.
        t.check_one_leader().await;
        t.connect(i1);
        t.connect(i2);
        t.connect(i3);
    }
    t.check_one_leader().await;
    t.end();
}
