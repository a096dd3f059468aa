//! The `Raft` service's RPCs, one typed descriptor each: the driver registers the
//! handlers and makes the calls through these, so a caller and a handler cannot disagree
//! on a name or a type.

use crate::core::messages::{
    AppendEntriesArgs, AppendEntriesReply, InstallSnapshotArgs, InstallSnapshotReply,
    RequestVoteArgs, RequestVoteReply,
};
use common::labrpc::Rpc;

/// The service's name, as in the course (`Raft.AppendEntries`, ...).
pub const SERVICE: &str = "Raft";

/// `Raft.PreVote`: would the receiver vote for the sender at the term it would take?
pub const PRE_VOTE: Rpc<RequestVoteArgs, RequestVoteReply> = Rpc::new(SERVICE, "PreVote");

/// `Raft.RequestVote`.
pub const REQUEST_VOTE: Rpc<RequestVoteArgs, RequestVoteReply> = Rpc::new(SERVICE, "RequestVote");

/// `Raft.AppendEntries`.
pub const APPEND_ENTRIES: Rpc<AppendEntriesArgs, AppendEntriesReply> =
    Rpc::new(SERVICE, "AppendEntries");

/// `Raft.InstallSnapshot`.
pub const INSTALL_SNAPSHOT: Rpc<InstallSnapshotArgs, InstallSnapshotReply> =
    Rpc::new(SERVICE, "InstallSnapshot");
