//! The coordinator: the pure task state machine ([`tasks`]) and the thin Tokio driver that
//! serves it to workers over a Unix socket ([`server`]).

pub mod server;
pub mod tasks;

pub use server::{Config, CoordinatorError, Summary, check_inputs, run};
pub use tasks::{Assignment, Completion, Stats, Tasks, WorkerId};
