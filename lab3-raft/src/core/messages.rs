//! The RPCs of the Raft paper's Figure 2, one struct per request and per reply, as they
//! travel on the network (encoded with `common::codec`).
//!
//! A reply alone does not say which request it answers, and replies can arrive late or out
//! of order; so the driver hands the core each reply together with the request it answers
//! ([`super::Input::Response`]), and the core judges it against that request.

use super::log::{Entry, LogId};
use serde::{Deserialize, Serialize};

/// RequestVote arguments: a candidate asks for a vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestVoteArgs {
    /// The candidate's term.
    pub term: u64,
    /// The candidate asking for the vote.
    pub candidate_id: usize,
    /// Index of the candidate's last log entry.
    pub last_log_index: u64,
    /// Term of the candidate's last log entry.
    pub last_log_term: u64,
}

/// RequestVote reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestVoteReply {
    /// The voter's current term, for the candidate to update itself.
    pub term: u64,
    /// Whether the candidate received the vote.
    pub vote_granted: bool,
}

/// AppendEntries arguments: the leader replicates entries, or sends a heartbeat (no
/// entries; the consistency check applies all the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEntriesArgs {
    /// The leader's term.
    pub term: u64,
    /// The leader, so followers can tell clients where to go.
    pub leader_id: usize,
    /// Index of the entry just before the new ones.
    pub prev_log_index: u64,
    /// Term of the entry at `prev_log_index`.
    pub prev_log_term: u64,
    /// The entries to store, from `prev_log_index + 1` (empty for a heartbeat).
    pub entries: Vec<Entry>,
    /// The leader's `commit_index`.
    pub leader_commit: u64,
}

/// AppendEntries reply, with the course's fields for fast log backtracking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEntriesReply {
    /// The follower's current term, for the leader to update itself.
    pub term: u64,
    /// Whether the follower held an entry matching `prev_log_index` and `prev_log_term`.
    pub success: bool,
    /// On a mismatch: the term of the follower's conflicting entry at `prev_log_index`, or
    /// `None` if its log is too short to have one.
    pub x_term: Option<u64>,
    /// On a mismatch with `x_term`: the first index the follower holds of that term.
    pub x_index: u64,
    /// On a mismatch: the follower's log length (its last index + 1).
    pub x_len: u64,
}

/// InstallSnapshot arguments: the leader sends its snapshot to a follower that needs
/// entries the leader no longer has (in one piece, as the course allows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallSnapshotArgs {
    /// The leader's term.
    pub term: u64,
    /// The leader.
    pub leader_id: usize,
    /// The snapshot replaces the log up to and including this index.
    pub last_included_index: u64,
    /// The term of that entry.
    pub last_included_term: u64,
    /// The service's snapshot.
    #[serde(with = "common::codec::bytes")]
    pub data: Vec<u8>,
}

/// InstallSnapshot reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallSnapshotReply {
    /// The follower's current term, for the leader to update itself.
    pub term: u64,
}

/// A request one peer sends another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// PreVote: RequestVote's arguments for the term the sender would take.
    PreVote(RequestVoteArgs),
    /// RequestVote.
    RequestVote(RequestVoteArgs),
    /// AppendEntries.
    AppendEntries(AppendEntriesArgs),
    /// InstallSnapshot.
    InstallSnapshot(InstallSnapshotArgs),
}

/// The reply to a [`Request`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// Reply to PreVote.
    PreVote(RequestVoteReply),
    /// Reply to RequestVote.
    RequestVote(RequestVoteReply),
    /// Reply to AppendEntries.
    AppendEntries(AppendEntriesReply),
    /// Reply to InstallSnapshot.
    InstallSnapshot(InstallSnapshotReply),
}

impl Request {
    /// The sender's term.
    pub fn term(&self) -> u64 {
        match self {
            Request::PreVote(a) | Request::RequestVote(a) => a.term,
            Request::AppendEntries(a) => a.term,
            Request::InstallSnapshot(a) => a.term,
        }
    }

    /// The peer that sent it, as it claims.
    pub fn sender(&self) -> usize {
        match self {
            Request::PreVote(a) | Request::RequestVote(a) => a.candidate_id,
            Request::AppendEntries(a) => a.leader_id,
            Request::InstallSnapshot(a) => a.leader_id,
        }
    }

    /// The kind of request, for logs (the network names it by its descriptor in
    /// [`crate::rpc`]).
    pub fn name(&self) -> &'static str {
        match self {
            Request::PreVote(_) => "PreVote",
            Request::RequestVote(_) => "RequestVote",
            Request::AppendEntries(_) => "AppendEntries",
            Request::InstallSnapshot(_) => "InstallSnapshot",
        }
    }
}

impl Response {
    /// The replier's term.
    pub fn term(&self) -> u64 {
        match self {
            Response::PreVote(r) | Response::RequestVote(r) => r.term,
            Response::AppendEntries(r) => r.term,
            Response::InstallSnapshot(r) => r.term,
        }
    }
}

impl RequestVoteArgs {
    /// The candidate's last entry.
    pub fn last_log(&self) -> LogId {
        LogId::new(self.last_log_index, self.last_log_term)
    }
}

impl AppendEntriesArgs {
    /// The entry just before the new ones.
    pub fn prev_log(&self) -> LogId {
        LogId::new(self.prev_log_index, self.prev_log_term)
    }
}

impl InstallSnapshotArgs {
    /// The last entry the snapshot covers.
    pub fn last_included(&self) -> LogId {
        LogId::new(self.last_included_index, self.last_included_term)
    }
}

/// One line per message, as logs and transcripts show it; entries as [`LogId`]s
/// (`index@tterm`).
impl std::fmt::Display for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Request::PreVote(a) => write!(f, "PreVote t{} last={}", a.term, a.last_log()),
            Request::RequestVote(a) => write!(f, "RequestVote t{} last={}", a.term, a.last_log()),
            Request::AppendEntries(a) => {
                write!(
                    f,
                    "AppendEntries t{} prev={} commit={} [",
                    a.term,
                    a.prev_log(),
                    a.leader_commit
                )?;
                for (k, e) in a.entries.iter().enumerate() {
                    let sep = if k == 0 { "" } else { " " };
                    // A malformed request is logged too: its indexes may not exist.
                    match a.prev_log_index.checked_add(1 + k as u64) {
                        Some(index) => write!(f, "{sep}{}", LogId::new(index, e.term))?,
                        None => write!(f, "{sep}?@t{}", e.term)?,
                    }
                }
                write!(f, "]")
            }
            Request::InstallSnapshot(a) => write!(
                f,
                "InstallSnapshot t{} last={} ({} bytes)",
                a.term,
                a.last_included(),
                a.data.len()
            ),
        }
    }
}

/// One line per reply, as transcripts show it.
impl std::fmt::Display for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = |yes| if yes { "granted" } else { "refused" };
        match self {
            Response::PreVote(r) => {
                write!(f, "PreVoteReply t{} {}", r.term, verdict(r.vote_granted))
            }
            Response::RequestVote(r) => {
                write!(
                    f,
                    "RequestVoteReply t{} {}",
                    r.term,
                    verdict(r.vote_granted)
                )
            }
            Response::AppendEntries(r) if r.success => {
                write!(f, "AppendEntriesReply t{} ok", r.term)
            }
            Response::AppendEntries(r) => {
                write!(f, "AppendEntriesReply t{} refused ", r.term)?;
                match r.x_term {
                    Some(x_term) => write!(f, "x_term={x_term} x_index={}", r.x_index),
                    None => write!(f, "x_len={}", r.x_len),
                }
            }
            Response::InstallSnapshot(r) => write!(f, "InstallSnapshotReply t{}", r.term),
        }
    }
}
