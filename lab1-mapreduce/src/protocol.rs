//! The RPCs between workers and the coordinator. A worker asks for work and reports what
//! it finished; the coordinator never calls a worker. Each message travels as one frame
//! ([`crate::frame`]).

use serde::{Deserialize, Serialize};

/// Which phase a task belongs to: all maps finish before any reduce starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// One task per input file.
    Map,
    /// One task per reduce partition.
    Reduce,
}

/// A task's identity: its phase and its number within the phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskId {
    /// Map or reduce.
    pub phase: Phase,
    /// `0..n_map` or `0..n_reduce`.
    pub index: usize,
}

/// What a worker is asked to run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// Map the input `file` and write `mr-<index>-<r>` for every `r` in `0..n_reduce`.
    Map {
        /// The map task's number.
        index: usize,
        /// The input file, as named to the coordinator.
        file: String,
        /// How many reduce partitions to split the pairs into.
        n_reduce: usize,
    },
    /// Read `mr-<m>-<index>` for every `m` in `0..n_map` and write `mr-out-<index>`.
    Reduce {
        /// The reduce task's number.
        index: usize,
        /// How many map tasks wrote intermediate files.
        n_map: usize,
    },
}

impl Task {
    /// The task's identity, as the worker reports it back.
    pub fn id(&self) -> TaskId {
        match self {
            Task::Map { index, .. } => TaskId {
                phase: Phase::Map,
                index: *index,
            },
            Task::Reduce { index, .. } => TaskId {
                phase: Phase::Reduce,
                index: *index,
            },
        }
    }
}

/// A worker's request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Give me a task.
    GetTask,
    /// I finished this task; its files are in place.
    Finished(TaskId),
}

/// The coordinator's reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// Run this task.
    Run(Task),
    /// Nothing to hand out now (every remaining task is running); ask again shortly.
    Wait,
    /// The job is done: exit.
    Exit,
    /// The report was received.
    Ack,
}
