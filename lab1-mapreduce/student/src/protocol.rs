//! The RPCs between workers and the coordinator (the course's `rpc.go`). A worker sends a
//! [`Request`] as one frame ([`crate::frame`]) and reads one [`Reply`]. The Example RPC
//! shows the way; add the variants your design needs.

use serde::{Deserialize, Serialize};

/// Arguments of the Example RPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleArgs {
    /// A number.
    pub x: i64,
}

/// Reply of the Example RPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleReply {
    /// `x + 1`.
    pub y: i64,
}

/// A worker's request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// The example: the coordinator answers `x + 1`.
    Example(ExampleArgs),
    // Lab 1: your requests (ask for a task, report one done, ...).
}

/// The coordinator's reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The example's answer.
    Example(ExampleReply),
    // Lab 1: your replies.
}
