//! The 3B scenarios (log replication), the same in both editions.

use super::super::{RAFT_ELECTION_TIMEOUT, RaftHarness, cmd};
use super::random_cmd;
use common::sim::{self, RngExt};
use std::time::Duration;

/// The course's `TestBasicAgree3B`.
pub async fn basic_agree_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): basic agreement");
    for index in 1..=3 {
        let (nd, _) = t.n_committed(index);
        assert_eq!(nd, 0, "some have committed before Start()");
        let xindex = t.one(cmd(index * 100), servers, false).await;
        assert_eq!(xindex, index, "got index {xindex} but expected {index}");
    }
    t.end();
}

/// Each command should be sent to each peer about once.
pub async fn rpc_bytes_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): RPC byte count");
    t.one(cmd(99), servers, false).await;
    let bytes0 = t.bytes_total();
    let iters = 10;
    let mut sent = 0;
    for index in 2..iters + 2 {
        let command: Vec<u8> =
            sim::rng(|r| (0..5000).map(|_| r.random_range(b'a'..=b'z')).collect());
        let xindex = t.one(command.clone(), servers, false).await;
        assert_eq!(xindex, index, "got index {xindex} but expected {index}");
        sent += command.len() as u64;
    }
    let got = t.bytes_total() - bytes0;
    let expected = servers as u64 * sent;
    assert!(
        got <= expected + 50_000,
        "too many RPC bytes; got {got}, expected {expected}"
    );
    t.end();
}

/// Followers fail one by one: with one left, nothing commits.
pub async fn follower_failure_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): test progressive failure of followers");
    t.one(cmd(101), servers, false).await;
    // One follower goes.
    let leader1 = t.check_one_leader().await;
    t.disconnect((leader1 + 1) % servers);
    // The leader and the remaining follower still agree.
    t.one(cmd(102), servers - 1, false).await;
    sim::sleep(RAFT_ELECTION_TIMEOUT).await;
    t.one(cmd(103), servers - 1, false).await;
    // The other follower goes too.
    let leader2 = t.check_one_leader().await;
    t.disconnect((leader2 + 1) % servers);
    t.disconnect((leader2 + 2) % servers);
    let (index, _) = t
        .raft(leader2)
        .and_then(|r| r.start(cmd(104)))
        .expect("leader rejected Start()");
    assert_eq!(index, 4, "expected index 4, got {index}");
    sim::sleep(2 * RAFT_ELECTION_TIMEOUT).await;
    let (n, _) = t.n_committed(index);
    assert_eq!(n, 0, "{n} committed but no majority");
    t.end();
}

/// Leaders fail one by one: with one peer left, nothing commits.
pub async fn leader_failure_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): test failure of leaders");
    t.one(cmd(101), servers, false).await;
    let leader1 = t.check_one_leader().await;
    t.disconnect(leader1);
    // The remaining followers elect a new leader.
    t.one(cmd(102), servers - 1, false).await;
    sim::sleep(RAFT_ELECTION_TIMEOUT).await;
    t.one(cmd(103), servers - 1, false).await;
    let leader2 = t.check_one_leader().await;
    t.disconnect(leader2);
    // Submit to every peer.
    for i in 0..servers {
        if let Some(raft) = t.raft(i) {
            let _ = raft.start(cmd(104));
        }
    }
    sim::sleep(2 * RAFT_ELECTION_TIMEOUT).await;
    let (n, _) = t.n_committed(4);
    assert_eq!(n, 0, "{n} committed but no majority");
    t.end();
}

/// A disconnected follower catches up after it reconnects.
pub async fn fail_agree_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): agreement after follower reconnects");
    t.one(cmd(101), servers, false).await;
    let leader = t.check_one_leader().await;
    t.disconnect((leader + 1) % servers);
    // The leader and the remaining follower agree without it.
    t.one(cmd(102), servers - 1, false).await;
    t.one(cmd(103), servers - 1, false).await;
    sim::sleep(RAFT_ELECTION_TIMEOUT).await;
    t.one(cmd(104), servers - 1, false).await;
    t.one(cmd(105), servers - 1, false).await;
    t.connect((leader + 1) % servers);
    // The full set agrees, and the returning follower catches up.
    t.one(cmd(106), servers, true).await;
    sim::sleep(RAFT_ELECTION_TIMEOUT).await;
    t.one(cmd(107), servers, true).await;
    t.end();
}

/// The course's `TestFailNoAgree3B`.
pub async fn fail_no_agree_3b<T: RaftHarness>() {
    let servers = 5;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): no agreement if too many followers disconnect");
    t.one(cmd(10), servers, false).await;
    // Three of five followers go.
    let leader = t.check_one_leader().await;
    t.disconnect((leader + 1) % servers);
    t.disconnect((leader + 2) % servers);
    t.disconnect((leader + 3) % servers);
    let (index, _) = t
        .raft(leader)
        .and_then(|r| r.start(cmd(20)))
        .expect("leader rejected Start()");
    assert_eq!(index, 2, "expected index 2, got {index}");
    sim::sleep(2 * RAFT_ELECTION_TIMEOUT).await;
    let (n, _) = t.n_committed(index);
    assert_eq!(n, 0, "{n} committed but no majority");
    // Repair.
    t.connect((leader + 1) % servers);
    t.connect((leader + 2) % servers);
    t.connect((leader + 3) % servers);
    // The disconnected majority may have chosen a leader from among their own ranks,
    // forgetting index 2.
    let leader2 = t.check_one_leader().await;
    let (index2, _) = t
        .raft(leader2)
        .and_then(|r| r.start(cmd(30)))
        .expect("leader2 rejected Start()");
    assert!((2..=3).contains(&index2), "unexpected index {index2}");
    t.one(cmd(1000), servers, true).await;
    t.end();
}

/// The course's `TestConcurrentStarts3B`.
pub async fn concurrent_starts_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): concurrent Start()s");
    let mut success = false;
    'tries: for attempt in 0..5 {
        if attempt > 0 {
            // Give the cluster a chance to settle.
            sim::sleep(Duration::from_secs(3)).await;
        }
        let leader = t.check_one_leader().await;
        let raft = t.raft(leader).expect("leader runs").clone();
        let Some((_, term)) = raft.start(cmd(1)) else {
            // The leader moved on really quickly.
            continue;
        };
        let iters = 5;
        let starts: Vec<_> = (0..iters)
            .map(|i| {
                let raft = raft.clone();
                sim::spawn(async move {
                    raft.start(cmd(100 + i))
                        .filter(|&(_, t1)| t1 == term)
                        .map(|(index, _)| index)
                })
            })
            .collect();
        let mut indexes = Vec::new();
        for start in starts {
            indexes.extend(start.await.expect("start task"));
        }
        for j in 0..servers {
            if let Some(r) = t.raft(j)
                && r.get_state().0 != term
            {
                // The term changed: try again.
                continue 'tries;
            }
        }
        let mut cmds = Vec::new();
        for index in indexes {
            match t.wait(index, servers, Some(term)).await {
                Some(command) => cmds.push(command),
                // The peers moved on to a later term, so commands may not have committed.
                None => continue 'tries,
            }
        }
        for i in 0..iters {
            let x = cmd(100 + i);
            assert!(cmds.contains(&x), "cmd {} missing", 100 + i);
        }
        success = true;
        break;
    }
    assert!(success, "term changed too often");
    t.end();
}

/// A partitioned leader's uncommitted entries are replaced when it rejoins.
pub async fn rejoin_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): rejoin of partitioned leader");
    t.one(cmd(101), servers, true).await;
    // The leader goes, and gets commands it cannot commit.
    let leader1 = t.check_one_leader().await;
    t.disconnect(leader1);
    for c in [102, 103, 104] {
        let _ = t.raft(leader1).and_then(|r| r.start(cmd(c)));
    }
    // The new leader commits, also for index 2.
    t.one(cmd(103), 2, true).await;
    // The new leader goes; the old one comes back.
    let leader2 = t.check_one_leader().await;
    t.disconnect(leader2);
    t.connect(leader1);
    t.one(cmd(104), 2, true).await;
    // All together now.
    t.connect(leader2);
    t.one(cmd(105), servers, true).await;
    t.end();
}

/// The leader backs up quickly over long runs of wrong follower entries.
pub async fn backup_3b<T: RaftHarness>() {
    let servers = 5;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): leader backs up quickly over incorrect follower logs");
    t.one(random_cmd(), servers, true).await;
    // Put the leader and one follower in a partition.
    let leader1 = t.check_one_leader().await;
    t.disconnect((leader1 + 2) % servers);
    t.disconnect((leader1 + 3) % servers);
    t.disconnect((leader1 + 4) % servers);
    // Lots of commands that will not commit.
    for _ in 0..50 {
        let _ = t.raft(leader1).and_then(|r| r.start(random_cmd()));
    }
    sim::sleep(RAFT_ELECTION_TIMEOUT / 2).await;
    t.disconnect(leader1);
    t.disconnect((leader1 + 1) % servers);
    // Allow the other partition to recover.
    t.connect((leader1 + 2) % servers);
    t.connect((leader1 + 3) % servers);
    t.connect((leader1 + 4) % servers);
    // Lots of successful commands to the new group.
    for _ in 0..50 {
        t.one(random_cmd(), 3, true).await;
    }
    // Now another partitioned leader and one follower.
    let leader2 = t.check_one_leader().await;
    let mut other = (leader1 + 2) % servers;
    if leader2 == other {
        other = (leader2 + 1) % servers;
    }
    t.disconnect(other);
    // Lots more commands that will not commit.
    for _ in 0..50 {
        let _ = t.raft(leader2).and_then(|r| r.start(random_cmd()));
    }
    sim::sleep(RAFT_ELECTION_TIMEOUT / 2).await;
    // Bring the original leader back to life.
    for i in 0..servers {
        t.disconnect(i);
    }
    t.connect(leader1);
    t.connect((leader1 + 1) % servers);
    t.connect(other);
    // Lots of successful commands to the new group.
    for _ in 0..50 {
        t.one(random_cmd(), 3, true).await;
    }
    // Now everyone.
    for i in 0..servers {
        t.connect(i);
    }
    t.one(random_cmd(), servers, true).await;
    t.end();
}

/// RPC counts for an election, for agreement and for idleness stay within the course's
/// bounds (which also bound the heartbeat rate).
pub async fn count_3b<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3B): RPC counts aren't too high");
    let rpcs = |t: &T| (0..servers).map(|j| t.rpc_count(j)).sum::<u64>();
    t.check_one_leader().await;
    let mut total1 = rpcs(&t);
    assert!(
        (1..=30).contains(&total1),
        "too many or few RPCs ({total1}) to elect initial leader"
    );
    let mut success = false;
    let mut total2 = 0;
    'tries: for attempt in 0..5 {
        if attempt > 0 {
            // Give the cluster a chance to settle.
            sim::sleep(Duration::from_secs(3)).await;
        }
        let leader = t.check_one_leader().await;
        total1 = rpcs(&t);
        let iters = 10;
        let raft = t.raft(leader).expect("leader runs").clone();
        let Some((starti, term)) = raft.start(cmd(1)) else {
            // The leader moved on really quickly.
            continue;
        };
        let mut cmds = Vec::new();
        for i in 1..iters + 2 {
            let x = random_cmd();
            cmds.push(x.clone());
            match raft.start(x) {
                Some((index1, term1)) if term1 == term => {
                    assert_eq!(index1, starti + i, "Start() failed");
                }
                // The term changed while starting.
                _ => continue 'tries,
            }
        }
        for i in 1..iters + 1 {
            match t.wait(starti + i, servers, Some(term)).await {
                Some(command) => assert_eq!(
                    command,
                    cmds[i as usize - 1],
                    "wrong value committed for index {}",
                    starti + i
                ),
                None => continue 'tries,
            }
        }
        if (0..servers).any(|j| t.raft(j).is_some_and(|r| r.get_state().0 != term)) {
            // The term changed: the RPC counts are not comparable.
            continue 'tries;
        }
        total2 = rpcs(&t);
        let limit = (iters + 1 + 3) * 3;
        assert!(
            total2 - total1 <= limit,
            "too many RPCs ({}) for {iters} entries",
            total2 - total1
        );
        success = true;
        break;
    }
    assert!(success, "term changed too often");
    sim::sleep(RAFT_ELECTION_TIMEOUT).await;
    let total3 = rpcs(&t);
    assert!(
        total3 - total2 <= 3 * 20,
        "too many RPCs ({}) for 1 second of idleness",
        total3 - total2
    );
    t.end();
}
