//! Lab 3: Raft.
//!
//! - [`core`]: the protocol as a pure, synchronous state machine (events in, actions out),
//!   with a unit test beside each rule of the paper's Figure 2;
//! - [`node`]: [`Raft`], the thin Tokio driver that feeds the core ticks, RPCs and
//!   proposals, persists, sends and applies what it returns;
//! - [`rpc`]: the `Raft` service's typed RPC descriptors;
//! - [`tester`]: the course's `config.go`, for the ported tests.

pub mod core;
pub mod node;
pub mod persist;
pub mod rpc;
pub mod tester;

pub use node::{Raft, set_process_config};
