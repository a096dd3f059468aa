//! Tests of the world itself: virtual time, seeding, and how a world fails.

use super::*;
use std::sync::Mutex;

fn quick() -> Builder {
    Builder::new().seed(7)
}

#[test]
fn virtual_time_costs_no_wall_time() {
    let wall = wall_clock();
    let done = quick()
        .try_run(|| async {
            sleep(Duration::from_secs(100)).await;
            now()
        })
        .unwrap();
    assert!(done.value >= Duration::from_secs(100));
    assert!(
        wall.elapsed() < Duration::from_secs(2),
        "{:?}",
        wall.elapsed()
    );
}

#[test]
fn sub_millisecond_sleeps_wake_in_deadline_order_at_their_exact_time() {
    let woke = quick()
        .try_run(|| async {
            let log = Arc::new(Mutex::new(Vec::new()));
            let mut tasks = Vec::new();
            for (id, micros) in [(0, 70u64), (1, 30), (2, 50), (3, 1500), (4, 30)] {
                let log = log.clone();
                tasks.push(tokio::spawn(async move {
                    sleep(Duration::from_micros(micros)).await;
                    log.lock().unwrap().push((id, now().as_micros()));
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            Arc::try_unwrap(log).unwrap().into_inner().unwrap()
        })
        .unwrap()
        .value;
    assert_eq!(woke, vec![(1, 30), (4, 30), (2, 50), (0, 70), (3, 1500)]);
}

#[test]
fn same_seed_gives_same_draws_and_another_seed_other_draws() {
    let draw = |seed| {
        Builder::new().seed(seed).run(|| async {
            (0..8)
                .map(|_| rng(|r| r.random::<u64>()))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(draw(42), draw(42));
    assert_ne!(draw(42), draw(43));
}

#[test]
fn a_panicking_task_fails_the_world_at_once() {
    let failure = quick()
        .try_run(|| async {
            tokio::spawn(async {
                sleep(Duration::from_secs(3)).await;
                panic!("boom in a task");
            });
            sleep(Duration::from_secs(60)).await;
        })
        .unwrap_err();
    assert!(
        failure.message.contains("boom in a task"),
        "{}",
        failure.message
    );
    assert_eq!(failure.seed, 7);
    assert!(
        failure.elapsed < Duration::from_secs(4),
        "{:?}",
        failure.elapsed
    );
}

#[test]
fn a_panicking_body_fails_the_world_with_its_message() {
    let failure = quick()
        .try_run(|| async {
            sleep(Duration::from_millis(5)).await;
            assert_eq!(1 + 1, 3, "arithmetic is broken");
        })
        .unwrap_err();
    assert!(
        failure.message.contains("arithmetic is broken"),
        "{}",
        failure.message
    );
}

#[test]
fn a_deadlock_fails_with_a_clear_message_instead_of_hanging() {
    let wall = wall_clock();
    let failure = quick()
        .try_run(|| async {
            let (_tx, rx) = tokio::sync::oneshot::channel::<()>();
            sleep(Duration::from_secs(2)).await;
            let _ = rx.await; // nobody will ever send
        })
        .unwrap_err();
    assert!(failure.message.contains("deadlock"), "{}", failure.message);
    assert!(failure.message.contains("2.000 s"), "{}", failure.message);
    assert!(wall.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_busy_world_past_its_time_limit_fails() {
    let failure = quick()
        .time_limit(Duration::from_secs(5))
        .try_run(|| async {
            loop {
                sleep(Duration::from_millis(100)).await;
            }
        })
        .unwrap_err();
    assert!(
        failure.message.contains("time limit of 5 s"),
        "{}",
        failure.message
    );
    assert!(failure.elapsed >= Duration::from_secs(5));
}

#[test]
fn the_default_time_limit_is_the_courses_120_seconds() {
    let failure = quick()
        .try_run(|| async {
            loop {
                sleep(Duration::from_secs(1)).await;
            }
        })
        .unwrap_err();
    assert!(failure.message.contains("120 s"), "{}", failure.message);
}

#[test]
fn realtime_mode_runs_the_same_body_on_the_real_clock() {
    let done = Builder::new()
        .seed(3)
        .realtime(true)
        .try_run(|| async {
            let t = tokio::spawn(async {
                sleep(Duration::from_millis(20)).await;
                rng(|r| r.random_range(0..10u32))
            });
            t.await.unwrap()
        })
        .unwrap();
    assert!(done.value < 10);
    assert!(done.elapsed >= Duration::from_millis(20));
}

#[test]
fn failure_report_names_the_seed_and_the_replay_command() {
    let report = failure_report(&Failure {
        seed: 99,
        message: "panic: x".into(),
        elapsed: Duration::from_millis(1500),
    });
    assert!(report.contains("seed: 99"), "{report}");
    assert!(
        report.contains("LAB_SEED=99 cargo test -p common"),
        "{report}"
    );
    assert!(report.contains("1.500 s"), "{report}");
}

#[test]
#[should_panic(expected = "run this code inside common::sim::run")]
fn world_functions_outside_a_world_say_so() {
    let _ = seed();
}

/// The wall clock, to measure the simulator itself (never used inside a world's logic).
#[allow(clippy::disallowed_methods)]
fn wall_clock() -> std::time::Instant {
    std::time::Instant::now()
}
