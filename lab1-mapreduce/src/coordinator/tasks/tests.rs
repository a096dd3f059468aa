//! Each rule of the task state machine, as a pure function of a made-up clock.

use super::*;

const TIMEOUT: Duration = Duration::from_secs(10);

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn job(files: usize, n_reduce: usize) -> Tasks {
    let files = (0..files).map(|i| format!("in-{i}")).collect();
    Tasks::new(files, n_reduce, TIMEOUT)
}

fn map(index: usize) -> TaskId {
    TaskId {
        phase: Phase::Map,
        index,
    }
}

fn reduce(index: usize) -> TaskId {
    TaskId {
        phase: Phase::Reduce,
        index,
    }
}

fn run_id(a: Assignment) -> TaskId {
    match a {
        Assignment::Run(task) => task.id(),
        other => panic!("expected a task, got {other:?}"),
    }
}

#[test]
fn map_tasks_carry_their_file_and_the_reduce_count() {
    let mut t = job(2, 3);
    let task = t.assign(1, secs(0.0));
    assert_eq!(
        task,
        Assignment::Run(Task::Map {
            index: 0,
            file: "in-0".into(),
            n_reduce: 3
        })
    );
}

#[test]
fn no_reduce_is_handed_out_until_every_map_is_done() {
    let mut t = job(2, 1);
    assert_eq!(run_id(t.assign(1, secs(0.0))), map(0));
    assert_eq!(run_id(t.assign(2, secs(0.0))), map(1));
    assert_eq!(t.finished(1, map(0)), Completion::Accepted);
    // map 1 is still running: a third worker must wait, not start a reduce.
    assert_eq!(t.assign(3, secs(1.0)), Assignment::Wait);
    assert_eq!(t.finished(2, map(1)), Completion::Accepted);
    assert_eq!(
        t.assign(3, secs(1.0)),
        Assignment::Run(Task::Reduce { index: 0, n_map: 2 })
    );
}

#[test]
fn a_running_task_is_not_reissued_before_the_timeout() {
    // The job-count test: a healthy but slow worker must not see its task duplicated.
    let mut t = job(1, 1);
    assert_eq!(run_id(t.assign(1, secs(0.0))), map(0));
    assert_eq!(t.assign(2, secs(9.999)), Assignment::Wait);
    assert_eq!(t.stats().assigned, 1);
}

#[test]
fn a_task_past_the_timeout_goes_to_the_next_worker_that_asks() {
    let mut t = job(1, 1);
    t.assign(1, secs(0.0));
    assert_eq!(run_id(t.assign(2, secs(10.0))), map(0));
    assert_eq!(t.stats().reissued_after_timeout, 1);
    // The re-issued attempt gets a fresh lease: nobody else takes it for another 10 s.
    assert_eq!(t.assign(3, secs(19.9)), Assignment::Wait);
}

#[test]
fn the_first_completion_wins_and_later_ones_are_ignored() {
    let mut t = job(1, 1);
    t.assign(1, secs(0.0));
    t.assign(2, secs(10.0));
    // The slow first worker finishes after all: its files are complete, so it counts.
    assert_eq!(t.finished(1, map(0)), Completion::Accepted);
    assert_eq!(t.finished(2, map(0)), Completion::Duplicate);
    assert_eq!(t.stats().duplicates, 1);
    assert_eq!(t.phase(), Some(Phase::Reduce));
}

#[test]
fn a_lost_worker_releases_its_task_at_once() {
    let mut t = job(2, 1);
    t.assign(1, secs(0.0));
    t.assign(2, secs(0.0));
    assert_eq!(t.worker_lost(1), [map(0)]);
    assert_eq!(run_id(t.assign(3, secs(0.1))), map(0));
    assert_eq!(t.stats().released_after_loss, 1);
    // Losing a worker that holds nothing changes nothing.
    assert_eq!(t.worker_lost(7), []);
}

#[test]
fn completions_for_tasks_never_handed_out_are_not_believed() {
    let mut t = job(1, 2);
    assert_eq!(t.finished(1, reduce(0)), Completion::Unknown);
    assert_eq!(t.finished(1, map(5)), Completion::Unknown);
    assert_eq!(t.finished(1, map(0)), Completion::Unknown);
    assert_eq!(t.phase(), Some(Phase::Map));
    assert_eq!(t.stats().unknown, 3);
}

#[test]
fn once_every_task_is_done_workers_are_told_to_exit() {
    let mut t = job(1, 2);
    t.assign(1, secs(0.0));
    t.finished(1, map(0));
    let r0 = run_id(t.assign(1, secs(1.0)));
    let r1 = run_id(t.assign(2, secs(1.0)));
    assert_eq!((r0, r1), (reduce(0), reduce(1)));
    assert!(!t.done());
    t.finished(1, r0);
    t.finished(2, r1);
    assert!(t.done());
    assert_eq!(t.assign(3, secs(2.0)), Assignment::Exit);
}
