//! Lab 3: Raft. Yours to write: read `README.md` ("Do it yourself") and the paper's
//! Figure 2.
//!
//! - [`raft`]: [`Raft`], one peer: the API the tester and Lab 4 call;
//! - [`rpc`]: the `Raft` service's RPCs (RequestVote given; AppendEntries is yours);
//! - [`tester`]: the course's `config.go`, for the course tests (do not edit).

pub mod raft;
pub mod rpc;
pub mod tester;

pub use raft::Raft;
