//! Lab 1: MapReduce, with a coordinator and worker processes that talk RPC over a Unix
//! socket, as in the course (and the paper, on one machine).
//!
//! - [`app`]: the [`MrApp`] interface; [`apps`]: the course's apps (`wc`, `indexer`, the
//!   timing, job-count, early-exit and crash apps), chosen by name;
//! - [`coordinator`]: the pure task state machine ([`coordinator::tasks`]) and its Tokio
//!   driver ([`coordinator::server`]);
//! - [`worker`]: asks for tasks, runs them, reports them;
//! - [`protocol`] and [`frame`]: the RPC messages and how they travel on the socket;
//! - [`files`]: the job's file names and the temp-file-then-rename rule;
//! - [`partition`]: the stable key-to-reduce-task hash;
//! - [`sequential`]: the one-process reference; [`corpus`]: the generated input books;
//! - [`clock`]: the real clock (this lab runs real processes, not the simulator);
//! - [`procs`]: the tests' child processes, their logs and output comparison;
//! - [`cli`]: what the binaries `mrcoordinator`, `mrworker`, `mrsequential`, `mrcorpus`
//!   and `mrdemo` share.

pub mod app;
pub mod apps;
pub mod cli;
pub mod clock;
pub mod coordinator;
pub mod corpus;
pub mod files;
pub mod frame;
pub mod partition;
pub mod procs;
pub mod protocol;
pub mod sequential;
pub mod worker;

pub use app::{KeyValue, MrApp};
