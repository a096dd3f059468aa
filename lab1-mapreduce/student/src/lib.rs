//! Lab 1: MapReduce, with a coordinator and worker processes that talk RPC over a Unix
//! socket, as in the course. Yours to write: the coordinator, the worker and their RPCs;
//! read `README.md` ("Do it yourself").
//!
//! - [`coordinator`]: hands out tasks (yours; the socket plumbing is given);
//! - [`worker`]: asks for tasks, runs them, reports them (yours);
//! - [`protocol`]: the RPC messages (the Example RPC given; the rest yours);
//! - given, as the course gives them: [`app`] and [`apps`] (the map and reduce functions,
//!   by name), [`frame`] (one message on the socket), [`files`] (the output's names and how
//!   the tests read it, intermediate-file helpers), [`partition`] (the course's `ihash`),
//!   [`sequential`] (the one-process reference), [`corpus`] (the input books), [`clock`]
//!   and [`cli`] (what the `mr*` binaries share), [`procs`] (the tests' processes).

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
