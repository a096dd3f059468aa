//! The 2026 course's `rsm` tests (4A, and one of 4C): a counter on three replicas.

use common::sim;
use lab4_kvraft_2026::rsm_tester::{CounterOp, NSEC, NSRV, Test};
use std::sync::Arc;
use std::time::Duration;

/// The course's `TestBasic4A`.
#[test]
fn test_basic_4a() {
    sim::run(|| async {
        const NINC: u64 = 10;
        let ts = Test::new(None);
        ts.cfg.begin("Test RSM basic");
        for i in 0..NINC {
            let n = ts.one_inc().await;
            assert!(n == i + 1, "expected {i} instead of {n}");
            ts.check_counter(n, NSRV).await;
        }
        ts.cleanup();
    });
}

/// The course's `TestConcurrent4A`.
#[test]
fn test_concurrent_4a() {
    sim::run(|| async {
        const NINC: u64 = 50;
        let ts = Arc::new(Test::new(None));
        ts.cfg.begin("Test concurrent submit");
        let incs: Vec<_> = (0..NINC)
            .map(|_| {
                let ts = ts.clone();
                sim::spawn(async move { ts.one_inc().await })
            })
            .collect();
        for inc in incs {
            inc.await.expect("an Inc");
        }
        ts.check_counter(NINC, NSRV).await;
        ts.cleanup();
    });
}

/// The course's `TestLeaderFailure4A`.
#[test]
fn test_leader_failure_4a() {
    sim::run(|| async {
        let ts = Test::new(None);
        ts.cfg.begin("Test Leader Failure");
        let n = ts.one_inc().await;
        ts.check_counter(n, NSRV).await;
        let l = ts.leader();
        ts.grp.disconnect_all(l);
        let n = ts.one_inc().await;
        ts.check_counter(n, NSRV - 1).await;
        ts.grp.connect_one(l);
        ts.check_counter(n, NSRV).await;
        ts.cleanup();
    });
}

/// The course's `TestLeaderPartition4A`: a leader cut off in a minority must hold its
/// Submits while the majority goes on, and answer them once the partition heals.
#[test]
fn test_leader_partition_4a() {
    sim::run(|| async {
        const NSUBMIT: usize = 100;
        let ts = Arc::new(Test::new(None));
        ts.cfg.begin("Test Leader Partition");
        let n = ts.one_inc().await;
        ts.check_counter(n, NSRV).await;
        let l = ts.leader();
        let (p1, p2) = ts.grp.make_partition(l);
        ts.grp.partition(&p1, &p2);
        println!("partition leader {l}");
        let submits: Vec<_> = (0..NSUBMIT)
            .map(|i| {
                let ts = ts.clone();
                sim::spawn(async move {
                    if let Some(Ok(rep)) = ts.submit(l, CounterOp::Dec).await {
                        panic!("Submit {i} in minority completed {rep:?}");
                    }
                })
            })
            .collect();
        let done = sim::spawn(async move {
            for s in submits {
                s.await.expect("a Submit");
            }
        });
        // Give the old leader some time to submit.
        sim::sleep(Duration::from_millis(10)).await;
        let rep = ts.one_partition(Some(&p1), CounterOp::Inc).await;
        let mut done = std::pin::pin!(done);
        tokio::select! {
            biased;
            r = &mut done => panic!("Dec's in minority completed; Submit returns {r:?}"),
            () = sim::sleep(Duration::from_secs(1)) => {}
        }
        // Three servers: connecting the leader heals every partition.
        ts.grp.connect_one(l);
        tokio::select! {
            biased;
            _ = &mut done => {}
            () = sim::sleep(Duration::from_secs(1)) => panic!("Submit after healing didn't return"),
        }
        let n = match rep {
            Some(lab4_kvraft_2026::rsm_tester::CounterRep::IncRep { n }) => n,
            other => panic!("onePartition: {other:?}"),
        };
        ts.check_counter(n, NSRV).await;
        ts.cleanup();
    });
}

/// The course's `TestRestartReplay4A`.
#[test]
fn test_restart_replay_4a() {
    sim::run(|| async {
        const NINC: u64 = 100;
        let ts = Test::new(None);
        ts.cfg.begin("Test Restart");
        for i in 0..NINC {
            let n = ts.one_inc().await;
            assert!(n == i + 1, "expected {i} instead of {n}");
            ts.check_counter(n, NSRV).await;
        }
        let all: Vec<usize> = (0..NSRV).collect();
        ts.kill(&all);
        sim::sleep(Duration::from_secs(1)).await;
        ts.restart(&all);
        let n = ts.one_inc().await;
        assert!(n == NINC + 1, "expected {} got {n}", NINC + 1);
        sim::sleep(Duration::from_secs(1)).await;
        ts.check_counter(n, NSRV).await;
        ts.cleanup();
    });
}

/// 100 concurrent `Null`s, then every server crashes: each Submit must return within
/// `NSEC + 1` seconds (the course's `TestShutdown4A` and `TestRestartSubmit4A`).
async fn nulls_then_kill_all(ts: &Arc<Test>) {
    const NSUBMIT: usize = 100;
    let nulls: Vec<_> = (0..NSUBMIT)
        .map(|_| {
            let ts = ts.clone();
            sim::spawn(async move { ts.one_null().await })
        })
        .collect();
    let done = sim::spawn(async move {
        for n in nulls {
            n.await.expect("a Null");
        }
    });
    sim::sleep(Duration::from_millis(20)).await;
    let all: Vec<usize> = (0..NSRV).collect();
    ts.kill(&all);
    tokio::select! {
        biased;
        _ = done => {}
        () = sim::sleep(NSEC + Duration::from_secs(1)) => panic!("Submit didn't stop after shutdown"),
    }
}

/// The course's `TestShutdown4A`.
#[test]
fn test_shutdown_4a() {
    sim::run(|| async {
        let ts = Arc::new(Test::new(None));
        ts.cfg.begin("Test Shutdown");
        nulls_then_kill_all(&ts).await;
        ts.cleanup();
    });
}

/// The course's `TestRestartSubmit4A`.
#[test]
fn test_restart_submit_4a() {
    sim::run(|| async {
        const NINC: u64 = 100;
        let ts = Arc::new(Test::new(None));
        ts.cfg.begin("Test Restart and submit");
        for i in 0..NINC {
            let n = ts.one_inc().await;
            assert!(n == i + 1, "expected {i} instead of {n}");
            ts.check_counter(n, NSRV).await;
        }
        let all: Vec<usize> = (0..NSRV).collect();
        ts.kill(&all);
        sim::sleep(Duration::from_secs(1)).await;
        ts.restart(&all);
        let n = ts.one_inc().await;
        assert!(n == NINC + 1, "Expected {} got {n}", NINC + 1);
        sim::sleep(Duration::from_secs(1)).await;
        nulls_then_kill_all(&ts).await;
        ts.restart(&all);
        let n = ts.one_inc().await;
        ts.check_counter(n, NSRV).await;
        ts.cleanup();
    });
}

/// The course's `TestSnapshot4C`.
#[test]
fn test_snapshot_4c() {
    sim::run(|| async {
        const N: u64 = 100;
        const MAXRAFTSTATE: usize = 1000;
        let ts = Test::new(Some(MAXRAFTSTATE));
        ts.cfg.begin("Test creating and restoring snapshot");
        for _ in 0..N {
            ts.one_inc().await;
        }
        ts.check_counter(N, NSRV).await;
        let sz = ts.grp.raft_size();
        assert!(
            sz <= 2 * MAXRAFTSTATE,
            "logs were not trimmed ({sz} > 2 * {MAXRAFTSTATE})"
        );
        let all: Vec<usize> = (0..NSRV).collect();
        ts.kill(&all);
        ts.restart(&all);
        ts.one_inc().await;
        ts.check_counter(N + 1, NSRV).await;
        ts.cleanup();
    });
}

/// A Submit to a server that is down fails at once.
#[test]
fn a_submit_to_a_crashed_server_fails() {
    sim::run(|| async {
        let ts = Test::new(None);
        ts.kill(&[0]);
        assert_eq!(ts.submit(0, CounterOp::Null).await, None);
    });
}
