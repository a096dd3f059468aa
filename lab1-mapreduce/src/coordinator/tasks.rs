//! The coordinator's bookkeeping as a pure state machine: every map task, then every reduce
//! task, is idle, running (on which worker, since when) or done.
//!
//! No sockets and no clock: the driver ([`super::server`]) passes in who asks and the time,
//! so each rule below is a unit test with a made-up clock.
//!
//! - A task is handed out if it is idle, or if it has run longer than the timeout: its
//!   worker may be dead or stalled, and the course's rule is to give up on it after 10 s.
//!   A task is never handed out twice before that, so no map runs twice in a healthy job
//!   (the job-count test).
//! - No reduce starts before every map is done: a reduce needs every map's output.
//! - When a worker's connection closes, its running tasks are idle again at once: a dead
//!   process cannot finish them, so waiting out the timeout would only be slower.
//! - The first completion of a task wins; a later one (from a worker the task was taken
//!   from) is ignored. Every attempt writes the same files by atomic rename, so whichever
//!   finished first left complete files.

use crate::protocol::{Phase, Task, TaskId};
use std::time::Duration;

/// A worker, as the driver numbers its connections.
pub type WorkerId = u64;

/// Where one task stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Idle,
    Running { worker: WorkerId, since: Duration },
    Done,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    status: Status,
    /// How many times the task was handed out: a completion for a task never handed out
    /// is not believed.
    attempts: u32,
}

/// The answer to a worker that asks for work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assignment {
    /// Run this task.
    Run(Task),
    /// Everything left is running: ask again later.
    Wait,
    /// The job is done.
    Exit,
}

/// What became of a worker's report that it finished a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// The task is now done.
    Accepted,
    /// The task was already done (another attempt finished first): ignored.
    Duplicate,
    /// No such task was ever handed out: ignored.
    Unknown,
}

/// Counters for the coordinator's closing summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tasks handed out, re-issues included.
    pub assigned: u64,
    /// Re-issues of a task whose worker ran past the timeout.
    pub reissued_after_timeout: u64,
    /// Tasks made idle because their worker's connection closed.
    pub released_after_loss: u64,
    /// Completions ignored because the task was already done.
    pub duplicates: u64,
    /// Completions ignored because the task was never handed out.
    pub unknown: u64,
}

/// The state of every task of one job.
#[derive(Clone, Debug)]
pub struct Tasks {
    files: Vec<String>,
    n_reduce: usize,
    timeout: Duration,
    map: Vec<Slot>,
    reduce: Vec<Slot>,
    stats: Stats,
}

impl Tasks {
    /// A job with one map task per input file and `n_reduce` reduce tasks, all idle.
    pub fn new(files: Vec<String>, n_reduce: usize, timeout: Duration) -> Self {
        let idle = Slot {
            status: Status::Idle,
            attempts: 0,
        };
        Tasks {
            map: vec![idle; files.len()],
            reduce: vec![idle; n_reduce],
            files,
            n_reduce,
            timeout,
            stats: Stats::default(),
        }
    }

    /// The phase whose tasks are being handed out, or `None` once every task is done.
    pub fn phase(&self) -> Option<Phase> {
        let all_done = |slots: &[Slot]| slots.iter().all(|s| s.status == Status::Done);
        if !all_done(&self.map) {
            Some(Phase::Map)
        } else if !all_done(&self.reduce) {
            Some(Phase::Reduce)
        } else {
            None
        }
    }

    /// Whether the whole job is done: the course's `Done()`.
    pub fn done(&self) -> bool {
        self.phase().is_none()
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// How many map and reduce tasks the job has.
    pub fn sizes(&self) -> (usize, usize) {
        (self.map.len(), self.reduce.len())
    }

    /// Hands `worker` a task of the current phase, if one is idle or has run past the
    /// timeout at `now`.
    pub fn assign(&mut self, worker: WorkerId, now: Duration) -> Assignment {
        let Some(phase) = self.phase() else {
            return Assignment::Exit;
        };
        let timeout = self.timeout;
        let slots = match phase {
            Phase::Map => &mut self.map,
            Phase::Reduce => &mut self.reduce,
        };
        let expired = |s: &Slot| matches!(s.status, Status::Running { since, .. } if now.saturating_sub(since) >= timeout);
        let Some(index) = slots
            .iter()
            .position(|s| s.status == Status::Idle)
            .or_else(|| slots.iter().position(expired))
        else {
            return Assignment::Wait;
        };
        let slot = &mut slots[index];
        if let Status::Running { worker: old, .. } = slot.status {
            tracing::info!(
                ?phase,
                index,
                old_worker = old,
                worker,
                "task ran past the timeout: re-issued"
            );
            self.stats.reissued_after_timeout += 1;
        }
        slot.status = Status::Running { worker, since: now };
        slot.attempts += 1;
        self.stats.assigned += 1;
        Assignment::Run(self.task(phase, index))
    }

    /// Records that `worker` finished task `id`.
    pub fn finished(&mut self, worker: WorkerId, id: TaskId) -> Completion {
        let slot = match id.phase {
            Phase::Map => self.map.get_mut(id.index),
            Phase::Reduce => self.reduce.get_mut(id.index),
        };
        let completion = match slot {
            Some(slot) if slot.status == Status::Done => Completion::Duplicate,
            Some(slot) if slot.attempts > 0 => {
                slot.status = Status::Done;
                Completion::Accepted
            }
            _ => Completion::Unknown,
        };
        match completion {
            Completion::Accepted => {}
            Completion::Duplicate => self.stats.duplicates += 1,
            Completion::Unknown => self.stats.unknown += 1,
        }
        tracing::debug!(?id, worker, ?completion, "finished");
        completion
    }

    /// Makes every task `worker` was running idle again: its connection closed, so it
    /// will never report them. Returns those tasks.
    pub fn worker_lost(&mut self, worker: WorkerId) -> Vec<TaskId> {
        let mut released = Vec::new();
        for (phase, slots) in [
            (Phase::Map, &mut self.map),
            (Phase::Reduce, &mut self.reduce),
        ] {
            for (index, slot) in slots.iter_mut().enumerate() {
                if matches!(slot.status, Status::Running { worker: w, .. } if w == worker) {
                    slot.status = Status::Idle;
                    released.push(TaskId { phase, index });
                }
            }
        }
        self.stats.released_after_loss += released.len() as u64;
        released
    }

    fn task(&self, phase: Phase, index: usize) -> Task {
        match phase {
            Phase::Map => Task::Map {
                index,
                file: self.files[index].clone(),
                n_reduce: self.n_reduce,
            },
            Phase::Reduce => Task::Reduce {
                index,
                n_map: self.files.len(),
            },
        }
    }
}

#[cfg(test)]
mod tests;
