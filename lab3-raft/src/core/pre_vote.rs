//! Pre-vote (Raft thesis §9.6): before a peer whose election timer ran out takes a new
//! term, it asks the others whether they would vote for it in that term. They answer
//! without changing their own term or vote. Only with a majority of yeses does it start
//! the real election.
//!
//! Why: a peer cut off from the cluster keeps timing out. Without pre-vote, every timeout
//! raises its term. When it comes back, that higher term deposes a working leader, and
//! the leader's last entries then wait for a new command of the next term before they
//! commit (Figure 8's rule). With pre-vote its term stays put while it is alone.
//!
//! A peer says yes to a pre-vote for term T when T is above its own term, the sender's log
//! is at least as up-to-date as its own, and it has not heard from a leader within the
//! minimum election timeout (a leader it hears from is alive; the leader itself says no).

use super::messages::{Request, RequestVoteArgs, RequestVoteReply};
use super::quorum::{VoteResult, vote_result};
use super::{Core, RoleState};

impl Core {
    /// Asks every other peer whether it would vote for this one in the next term.
    pub(super) fn broadcast_pre_vote(&mut self) {
        let args = RequestVoteArgs {
            term: self.current_term + 1,
            candidate_id: self.me,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        let me = self.me;
        for peer in (0..self.peers).filter(|&p| p != me) {
            self.out
                .messages
                .push((peer, Request::PreVote(args.clone())));
        }
    }

    /// Answers a pre-vote. Changes nothing here: no term, no vote, no timer.
    pub(super) fn handle_pre_vote(&self, args: &RequestVoteArgs) -> RequestVoteReply {
        let heard_from_leader = match self.role {
            RoleState::Leader { .. } => true,
            _ => {
                self.leader_id.is_some() && self.election_elapsed < self.config.election_timeout_min
            }
        };
        let grant = self.is_other_peer(args.candidate_id)
            && args.term > self.current_term
            && !heard_from_leader
            && self.log_is_up_to_date(args.last_log_term, args.last_log_index);
        tracing::debug!(
            peer = self.me,
            term = self.current_term,
            role = %self.role(),
            candidate = args.candidate_id,
            grant,
            "pre-vote"
        );
        RequestVoteReply {
            term: self.current_term,
            vote_granted: grant,
        }
    }

    /// Counts an answer to this peer's current pre-vote (higher terms were handled by
    /// `step`; answers to an earlier round or another term are ignored).
    pub(super) fn handle_pre_vote_reply(
        &mut self,
        from: usize,
        args: &RequestVoteArgs,
        reply: &RequestVoteReply,
    ) {
        if args.term != self.current_term + 1 {
            return;
        }
        if let RoleState::PreCandidate { votes, .. } = &mut self.role {
            votes[from] = Some(reply.vote_granted);
            self.maybe_win_pre_vote();
        }
    }

    /// Starts the real election once a majority said it could be won.
    pub(super) fn maybe_win_pre_vote(&mut self) {
        if let RoleState::PreCandidate { votes, .. } = &self.role
            && vote_result(votes) == VoteResult::Won
        {
            self.become_candidate();
        }
    }
}

#[cfg(test)]
mod tests;
