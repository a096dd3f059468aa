//! Fixtures for the core's unit tests: a core built directly in the state a rule needs,
//! requests in one line, and the messages of an output as one-line transcripts.

use super::log::{Entry, LogId, log_of};
use super::messages::{AppendEntriesArgs, Request, RequestVoteArgs};
use super::quorum::Votes;
use super::roles::RoleState;
use super::{Config, Core, Output};

/// The entry at `index` of term `term`.
pub(crate) fn id(index: u64, term: u64) -> LogId {
    LogId::new(index, term)
}

/// Peer `me` of `peers`, a follower at `term` with a log of these terms.
pub(crate) fn follower(me: usize, peers: usize, term: u64, log_terms: &[u64]) -> Core {
    let mut core = Core::new(me, peers, Config::default(), 1);
    core.current_term = term;
    core.log = log_of(log_terms);
    core
}

/// Peer `me` of `peers`, the leader of `term` with a log of these terms; `next_index`
/// just past its log and `match_index` 0 for the others, as right after an election.
pub(crate) fn leader(me: usize, peers: usize, term: u64, log_terms: &[u64]) -> Core {
    let mut core = follower(me, peers, term, log_terms);
    core.voted_for = Some(me);
    core.role = RoleState::Candidate {
        votes: Votes::new(peers, me),
    };
    core.become_leader();
    // The heartbeats of taking the lead are not part of what a test steps.
    core.out = Output::default();
    core
}

/// The leader's (next_index, match_index) for `peer`.
pub(crate) fn progress(core: &Core, peer: usize) -> (u64, u64) {
    match &core.role {
        RoleState::Leader {
            next_index,
            match_index,
            ..
        } => (next_index[peer], match_index[peer]),
        _ => panic!("peer {} is not leader", core.me),
    }
}

/// Entries of these terms, each with its index as the command (as [`log_of`] makes them).
pub(crate) fn entries(first_index: u64, terms: &[u64]) -> Vec<Entry> {
    terms
        .iter()
        .enumerate()
        .map(|(k, &term)| Entry {
            term,
            command: (first_index + k as u64).to_le_bytes().into(),
        })
        .collect()
}

/// AppendEntries from `leader` in `term`: the entry before the new ones, then entries of
/// `terms`, and the leader's commit index.
pub(crate) fn append(
    term: u64,
    leader: usize,
    prev: LogId,
    terms: &[u64],
    leader_commit: u64,
) -> AppendEntriesArgs {
    AppendEntriesArgs {
        term,
        leader_id: leader,
        prev_log_index: prev.index,
        prev_log_term: prev.term,
        entries: entries(prev.index + 1, terms),
        leader_commit,
    }
}

/// RequestVote (or PreVote) arguments from `candidate` for `term`, whose log ends at `last`.
pub(crate) fn vote(term: u64, candidate: usize, last: LogId) -> RequestVoteArgs {
    RequestVoteArgs {
        term,
        candidate_id: candidate,
        last_log_index: last.index,
        last_log_term: last.term,
    }
}

/// The messages of an output, one line each: `to <peer>: <request>`.
pub(crate) fn sent(out: &Output) -> Vec<String> {
    out.messages
        .iter()
        .map(|(to, request)| format!("to {to}: {request}"))
        .collect()
}

/// The terms of the entries in a core's log, in order.
pub(crate) fn log_terms(core: &Core) -> Vec<u64> {
    (core.log.first_index()..=core.log.last_index())
        .map(|i| core.log.term(i).expect("held entry"))
        .collect()
}

/// The AppendEntries requests of an output, by recipient.
pub(crate) fn appends(out: &Output) -> Vec<(usize, AppendEntriesArgs)> {
    out.messages
        .iter()
        .filter_map(|(to, r)| match r {
            Request::AppendEntries(a) => Some((*to, a.clone())),
            Request::PreVote(_) | Request::RequestVote(_) | Request::InstallSnapshot(_) => None,
        })
        .collect()
}
