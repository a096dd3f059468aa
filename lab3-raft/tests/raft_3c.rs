//! The course's 3C tests: persistence.

use common::sim::{self, RngExt};
use lab3_raft::tester::{RAFT_ELECTION_TIMEOUT, Tester, cmd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn random_cmd() -> Vec<u8> {
    cmd(sim::rng(|r| r.random::<u32>().into()))
}

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
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::new(servers, false);
        t.begin("Test (3C): partitioned leader and one follower crash, leader restarts");
        t.one(cmd(101), 3, true).await;
        let leader = t.check_one_leader().await;
        t.disconnect((leader + 2) % servers);
        t.one(cmd(102), 2, true).await;
        t.crash1(leader % servers);
        t.crash1((leader + 1) % servers);
        t.connect((leader + 2) % servers);
        t.start1(leader % servers);
        t.connect(leader % servers);
        t.one(cmd(103), 2, true).await;
        t.start1((leader + 1) % servers);
        t.connect((leader + 1) % servers);
        t.one(cmd(104), servers, true).await;
        t.end();
    });
}

/// The course's sleep in the Figure 8 tests: usually under 13 ms, one time in ten up to
/// half a second.
fn figure8_pause() -> Duration {
    let ms = sim::rng(|r| {
        if r.random_range(0..1000) < 100 {
            r.random_range(0..RAFT_ELECTION_TIMEOUT.as_millis() as u64 / 2)
        } else {
            r.random_range(0..13)
        }
    });
    Duration::from_millis(ms)
}

/// Figure 8's scenario, many times over: leaders crash right after taking commands, so
/// entries of old terms sit on some logs; none may be committed by counting replicas.
#[test]
fn test_figure8_3c() {
    sim::run(|| async {
        let servers = 5;
        let mut t = Tester::new(servers, false);
        t.begin("Test (3C): Figure 8");
        t.one(random_cmd(), 1, true).await;
        let mut nup = servers;
        for _ in 0..1000 {
            let mut leader = None;
            for i in 0..servers {
                if let Some(raft) = t.raft(i)
                    && raft.start(random_cmd()).is_some()
                {
                    leader = Some(i);
                }
            }
            sim::sleep(figure8_pause()).await;
            if let Some(leader) = leader {
                t.crash1(leader);
                nup -= 1;
            }
            if nup < 3 {
                let s = sim::rng(|r| r.random_range(0..servers));
                if t.raft(s).is_none() {
                    t.start1(s);
                    t.connect(s);
                    nup += 1;
                }
            }
        }
        for i in 0..servers {
            if t.raft(i).is_none() {
                t.start1(i);
                t.connect(i);
            }
        }
        t.one(random_cmd(), servers, true).await;
        t.end();
    });
}

#[test]
fn test_unreliable_agree_3c() {
    sim::run(|| async {
        let servers = 5;
        let mut t = Tester::new(servers, true);
        t.begin("Test (3C): unreliable agreement");
        let t = Arc::new(t);
        let mut workers = Vec::new();
        for iter in 1..50 {
            for j in 0..4 {
                let t = t.clone();
                workers.push(tokio::spawn(async move {
                    t.one(cmd(100 * iter + j), 1, true).await;
                }));
            }
            t.one(cmd(iter), 1, true).await;
        }
        t.set_unreliable(false);
        for w in workers {
            w.await.expect("worker");
        }
        t.one(cmd(100), servers, true).await;
        t.end();
    });
}

/// Figure 8 on an unreliable network with long reordering: leaders are cut off (not
/// crashed) right after taking commands.
#[test]
fn test_figure8_unreliable_3c() {
    sim::run(|| async {
        let servers = 5;
        let mut t = Tester::new(servers, true);
        t.begin("Test (3C): Figure 8 (unreliable)");
        t.one(cmd(sim::rng(|r| r.random_range(0..10000))), 1, true)
            .await;
        let mut nup = servers;
        for iters in 0..1000 {
            if iters == 200 {
                t.set_long_reordering(true);
            }
            let mut leader = None;
            for i in 0..servers {
                let accepted = t
                    .raft(i)
                    .and_then(|r| r.start(cmd(sim::rng(|r| r.random_range(0..10000)))))
                    .is_some();
                if accepted && t.is_connected(i) {
                    leader = Some(i);
                }
            }
            sim::sleep(figure8_pause()).await;
            let half = RAFT_ELECTION_TIMEOUT.as_millis() as u64 / 2;
            if let Some(leader) = leader
                && sim::rng(|r| r.random_range(0..1000u64)) < half
            {
                t.disconnect(leader);
                nup -= 1;
            }
            if nup < 3 {
                let s = sim::rng(|r| r.random_range(0..servers));
                if !t.is_connected(s) {
                    t.connect(s);
                    nup += 1;
                }
            }
        }
        for i in 0..servers {
            if !t.is_connected(i) {
                t.connect(i);
            }
        }
        t.one(cmd(sim::rng(|r| r.random_range(0..10000))), servers, true)
            .await;
        t.end();
    });
}

/// The course's `internalChurn`: clients keep submitting while peers are cut off,
/// crashed and restarted; every value a client saw committed must be in the final log.
async fn internal_churn(unreliable: bool) {
    let servers = 5;
    let mut t = Tester::new(servers, unreliable);
    t.begin(if unreliable {
        "Test (3C): unreliable churn"
    } else {
        "Test (3C): churn"
    });
    let stop = Arc::new(AtomicBool::new(false));
    let rafts = Arc::new(std::sync::Mutex::new(
        (0..servers).map(|i| t.raft(i)).collect::<Vec<_>>(),
    ));
    let t = Arc::new(tokio::sync::Mutex::new(t));
    let mut clients = Vec::new();
    for me in 0..3u64 {
        let (stop, rafts, t) = (stop.clone(), rafts.clone(), t.clone());
        clients.push(tokio::spawn(async move {
            let mut values = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let x: u64 = sim::rng(|r| r.random::<u32>().into());
                let mut index = None;
                let live: Vec<_> = rafts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .flatten()
                    .cloned()
                    .collect();
                for raft in live {
                    if let Some((i, _)) = raft.start(cmd(x)) {
                        index = Some(i);
                    }
                }
                if let Some(index) = index {
                    // Poll for it to commit: 10, 20, 50, 100, 200 ms.
                    for ms in [10, 20, 50, 100, 200] {
                        let (n, command) = t.lock().await.n_committed(index);
                        if n > 0 {
                            if command == Some(cmd(x)) {
                                values.push(x);
                            }
                            break;
                        }
                        sim::sleep(Duration::from_millis(ms)).await;
                    }
                } else {
                    sim::sleep(Duration::from_millis(79 + me * 17)).await;
                }
            }
            values
        }));
    }
    let sync_rafts = |t: &Tester| {
        *rafts.lock().unwrap_or_else(|e| e.into_inner()) =
            (0..servers).map(|i| t.raft(i)).collect();
    };
    for _ in 0..20 {
        {
            let mut t = t.lock().await;
            if sim::rng(|r| r.random_range(0..1000)) < 200 {
                let i = sim::rng(|r| r.random_range(0..servers));
                t.disconnect(i);
            }
            if sim::rng(|r| r.random_range(0..1000)) < 500 {
                let i = sim::rng(|r| r.random_range(0..servers));
                if t.raft(i).is_none() {
                    t.start1(i);
                }
                t.connect(i);
            }
            if sim::rng(|r| r.random_range(0..1000)) < 200 {
                let i = sim::rng(|r| r.random_range(0..servers));
                if t.raft(i).is_some() {
                    t.crash1(i);
                }
            }
            sync_rafts(&t);
        }
        // Less than the election timeout, so the crash-restart-reconnect cycles above can
        // leave a group without a leader for a while; the course's 700 ms.
        sim::sleep(RAFT_ELECTION_TIMEOUT * 7 / 10).await;
    }
    sim::sleep(RAFT_ELECTION_TIMEOUT).await;
    {
        let mut t = t.lock().await;
        t.set_unreliable(false);
        for i in 0..servers {
            if t.raft(i).is_none() {
                t.start1(i);
            }
            t.connect(i);
        }
        sync_rafts(&t);
    }
    stop.store(true, Ordering::Relaxed);
    let mut values = Vec::new();
    for c in clients {
        values.extend(c.await.expect("client failed"));
    }
    sim::sleep(RAFT_ELECTION_TIMEOUT).await;
    let t = t.lock().await;
    let last_index = t.one(random_cmd(), servers, true).await;
    // A set: the same check as the course's list, without a scan of it per value.
    let mut really = std::collections::BTreeSet::new();
    for index in 1..=last_index {
        let command = t.wait(index, servers, None).await.expect("committed");
        really.insert(command);
    }
    for v in values {
        assert!(really.contains(&cmd(v)), "didn't find a value");
    }
    t.end();
}

#[test]
fn test_reliable_churn_3c() {
    sim::run(|| internal_churn(false));
}

#[test]
fn test_unreliable_churn_3c() {
    sim::run(|| internal_churn(true));
}
