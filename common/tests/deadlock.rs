//! The course's "four-way deadlock", reported as such: a service that hands committed
//! entries to its bounded apply channel while holding its own lock, and a reader that
//! calls back into the service (as the course's snapshot applier calls `Snapshot`) from
//! the task that reads the channel. The world stops with every task waiting, and its
//! report says what each one waits on.

use common::sim::{self, Builder};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc};

/// The deliberately wrong service: its log behind an async lock, which its applier holds
/// while it waits for room in the apply channel.
struct DeliversUnderItsLock {
    log: Mutex<Vec<u64>>,
}

impl DeliversUnderItsLock {
    fn start(apply_tx: mpsc::Sender<u64>) -> Arc<DeliversUnderItsLock> {
        let service = Arc::new(DeliversUnderItsLock {
            log: Mutex::new((1..=5).collect()),
        });
        let applier = service.clone();
        sim::spawn(async move {
            let log = applier.log.lock().await;
            for &index in log.iter() {
                // The mistake: a send that can wait, under the lock.
                if apply_tx.send(index).await.is_err() {
                    return;
                }
            }
        });
        service
    }

    /// What the reader calls back: it needs the lock.
    async fn snapshot(&self, index: u64) {
        self.log.lock().await.retain(|&i| i > index);
    }
}

#[test]
fn a_service_that_delivers_under_its_lock_is_reported_as_a_deadlock() {
    let failure = Builder::new()
        .seed(3)
        .try_run(|| async {
            let (apply_tx, mut apply_rx) = mpsc::channel(1);
            sim::report_channel("the apply channel", &apply_tx);
            let service = DeliversUnderItsLock::start(apply_tx);
            while let Some(index) = sim::waiting("the apply channel", apply_rx.recv()).await {
                if index == 2 {
                    let call = service.snapshot(index);
                    sim::waiting("DeliversUnderItsLock::snapshot(2), from the reader", call).await;
                }
            }
        })
        .expect_err("the world must stop");
    let report = failure.message;
    eprintln!("{report}");
    assert!(report.starts_with("deadlock: "), "{report}");
    assert!(
        report.contains("the test body (common/tests/deadlock.rs:")
            && report.contains("waits on DeliversUnderItsLock::snapshot(2), from the reader"),
        "the reader, inside its call back into the service: {report}"
    );
    assert!(
        report.contains("task spawned at common/tests/deadlock.rs:")
            && report.contains("no named wait point"),
        "the service's applier, by where it was spawned: {report}"
    );
    assert!(
        report.contains("the apply channel holds 1 message(s) its reader has not taken"),
        "{report}"
    );
}

/// The same mistake with a lock held across a blocking send: Tokio refuses to block the
/// world's one thread, and the failure says what to do instead.
#[test]
fn a_blocking_send_inside_the_world_fails_with_a_hint() {
    let failure = Builder::new()
        .seed(3)
        .try_run(|| async {
            let (apply_tx, _apply_rx) = mpsc::channel::<u64>(1);
            let log = std::sync::Mutex::new(vec![1, 2]);
            let held = log.lock().expect("not poisoned");
            for &index in held.iter() {
                let _ = apply_tx.blocking_send(index);
            }
        })
        .expect_err("a blocking send must fail the world");
    assert!(
        failure.message.contains("Cannot block the current thread")
            && failure.message.contains("hint: a blocking call"),
        "{}",
        failure.message
    );
}
