//! The `Raft` service's RPCs, one typed descriptor each. A peer calls another with
//! `peers[i].call(REQUEST_VOTE, &args).await`, which returns the reply or an error when
//! the network lost the request or the reply (or the peer is down); the handler that
//! [`crate::Raft::service`] registers for the descriptor answers it.
//!
//! Fill in the argument and reply structs from Figure 2. Add AppendEntries (3A heartbeats,
//! 3B entries) and InstallSnapshot (3D) the same way: a struct pair and a descriptor.

use common::labrpc::Rpc;
use serde::{Deserialize, Serialize};

/// The service's name, as in the course (`Raft.RequestVote`, ...).
pub const SERVICE: &str = "Raft";

/// Arguments of RequestVote (Figure 2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestVoteArgs {
    // Lab 3A, 3B: your data here.
}

/// Reply of RequestVote (Figure 2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestVoteReply {
    // Lab 3A: your data here.
}

/// `Raft.RequestVote`: a candidate asks for a peer's vote.
pub const REQUEST_VOTE: Rpc<RequestVoteArgs, RequestVoteReply> = Rpc::new(SERVICE, "RequestVote");
