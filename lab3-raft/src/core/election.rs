//! Leader election: RequestVote on the candidate's and on the voter's side.
//!
//! Figure 2: a peer grants its vote if the candidate's term is current, it has not voted
//! for another candidate in this term, and the candidate's log is at least as up-to-date as
//! its own (§5.4.1: a later last term wins; with equal last terms, the longer log). A
//! candidate with votes from a majority becomes leader.

use super::messages::{Request, RequestVoteArgs, RequestVoteReply};
use super::quorum::{VoteResult, vote_result};
use super::{Core, RoleState};

impl Core {
    /// Asks every other peer for its vote in the current term.
    pub(super) fn broadcast_request_vote(&mut self) {
        let args = RequestVoteArgs {
            term: self.current_term,
            candidate_id: self.me,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        let me = self.me;
        for peer in (0..self.peers).filter(|&p| p != me) {
            self.out
                .messages
                .push((peer, Request::RequestVote(args.clone())));
        }
    }

    /// Whether a log ending at (`last_log_term`, `last_log_index`) is at least as
    /// up-to-date as this peer's (§5.4.1; checklist G7: terms first, then length).
    pub(super) fn log_is_up_to_date(&self, last_log_term: u64, last_log_index: u64) -> bool {
        let (my_term, my_index) = (self.log.last_term(), self.log.last_index());
        last_log_term > my_term || (last_log_term == my_term && last_log_index >= my_index)
    }

    /// Answers RequestVote (the term was already brought up to date by `step`).
    pub(super) fn handle_request_vote(&mut self, args: &RequestVoteArgs) -> RequestVoteReply {
        let grant = self.is_other_peer(args.candidate_id)
            && args.term == self.current_term
            && self.voted_for.is_none_or(|v| v == args.candidate_id)
            && self.log_is_up_to_date(args.last_log_term, args.last_log_index);
        if grant {
            self.voted_for = Some(args.candidate_id);
            // Granting a vote resets the timer; refusing one does not (checklist G4).
            self.reset_election_timer();
        }
        tracing::debug!(
            peer = self.me,
            term = self.current_term,
            role = %self.role(),
            candidate = args.candidate_id,
            grant,
            "vote"
        );
        RequestVoteReply {
            term: self.current_term,
            vote_granted: grant,
        }
    }

    /// Counts a vote of the current term (stale replies never get here), also after this
    /// peer's election timed out and it went on to a pre-vote in the same term.
    pub(super) fn handle_request_vote_reply(&mut self, from: usize, reply: &RequestVoteReply) {
        if let Some(votes) = self.election_votes() {
            votes[from] = Some(reply.vote_granted);
            self.maybe_win_election();
        }
    }

    /// The votes of this peer's election in the current term, if it ran one.
    fn election_votes(&mut self) -> Option<&mut Vec<Option<bool>>> {
        match &mut self.role {
            RoleState::Candidate { votes }
            | RoleState::PreCandidate {
                election: Some(votes),
                ..
            } => Some(votes),
            RoleState::Follower
            | RoleState::PreCandidate { election: None, .. }
            | RoleState::Leader { .. } => None,
        }
    }

    /// Becomes leader if a majority granted its vote.
    pub(super) fn maybe_win_election(&mut self) {
        if self
            .election_votes()
            .is_some_and(|votes| vote_result(votes) == VoteResult::Won)
        {
            self.become_leader();
        }
    }
}

#[cfg(test)]
mod tests;
