//! The 3C scenarios (persistence) whose steps are the same in both editions: all but
//! the first two, which each edition writes its own way.

use super::super::{RAFT_ELECTION_TIMEOUT, RaftHarness, cmd};
use super::{figure8_pause, random_cmd};
use common::sim::{self, RngExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The course's `TestPersist33C`.
pub async fn persist3_3c<T: RaftHarness>() {
    let servers = 3;
    let mut t = T::make(servers, true, false);
    t.begin("Test (3C): partitioned leader and one follower crash, leader restarts");
    t.one(cmd(101), 3, true).await;
    let leader = t.check_one_leader().await;
    t.disconnect((leader + 2) % servers);
    t.one(cmd(102), 2, true).await;
    t.crash(leader % servers);
    t.crash((leader + 1) % servers);
    t.connect((leader + 2) % servers);
    t.restart(leader % servers);
    t.one(cmd(103), 2, true).await;
    t.restart((leader + 1) % servers);
    t.one(cmd(104), servers, true).await;
    t.end();
}

/// Figure 8's scenario, many times over: leaders crash right after taking commands, so
/// entries of old terms sit on some logs; none may be committed by counting replicas.
pub async fn figure8_3c<T: RaftHarness>() {
    let servers = 5;
    let mut t = T::make(servers, true, false);
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
            t.crash(leader);
            nup -= 1;
        }
        if nup < 3 {
            let s = sim::rng(|r| r.random_range(0..servers));
            if t.raft(s).is_none() {
                t.restart(s);
                nup += 1;
            }
        }
    }
    for i in 0..servers {
        if t.raft(i).is_none() {
            t.restart(i);
        }
    }
    t.one(random_cmd(), servers, true).await;
    t.end();
}

/// The course's `TestUnreliableAgree3C`.
pub async fn unreliable_agree_3c<T: RaftHarness>() {
    let servers = 5;
    let mut t = T::make(servers, false, false);
    t.begin("Test (3C): unreliable agreement");
    let t = Arc::new(t);
    let mut workers = Vec::new();
    for iter in 1..50 {
        for j in 0..4 {
            let t = t.clone();
            workers.push(sim::spawn(async move {
                t.one(cmd(100 * iter + j), 1, true).await;
            }));
        }
        t.one(cmd(iter), 1, true).await;
    }
    t.set_reliable(true);
    for w in workers {
        w.await.expect("worker");
    }
    t.one(cmd(100), servers, true).await;
    t.end();
}

/// Figure 8 on an unreliable network with long reordering: leaders are cut off (not
/// crashed) right after taking commands.
pub async fn figure8_unreliable_3c<T: RaftHarness>() {
    let servers = 5;
    let mut t = T::make(servers, false, false);
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
}

/// The course's `internalChurn`: clients keep submitting while peers are cut off,
/// crashed and restarted; every value a client saw committed must be in the final log.
/// Its two tests: `churn` and `unreliable churn`.
pub async fn internal_churn<T: RaftHarness>(unreliable: bool) {
    let servers = 5;
    let mut t = T::make(servers, !unreliable, false);
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
        clients.push(sim::spawn(async move {
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
    let sync_rafts = |t: &T| {
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
                    t.restart(i);
                }
                t.connect(i);
            }
            if sim::rng(|r| r.random_range(0..1000)) < 200 {
                let i = sim::rng(|r| r.random_range(0..servers));
                if t.raft(i).is_some() {
                    t.crash(i);
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
        t.set_reliable(true);
        for i in 0..servers {
            if t.raft(i).is_none() {
                t.restart(i);
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
