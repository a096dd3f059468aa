//! Leader election: one campaign function for both kinds of vote, one handler for both
//! requests, one for both replies (etcd's shape).
//!
//! Figure 2: a peer grants its vote if the candidate's term is current, it has not voted
//! for another candidate in this term, and the candidate's log is at least as up-to-date as
//! its own (§5.4.1: a later last term wins; with equal last terms, the longer log). A
//! candidate with votes from a majority becomes leader; one refused by a majority has lost
//! and goes back to following.
//!
//! **Pre-vote** (Raft thesis §9.6; [`super::Config::pre_vote`], on by default). Before a
//! peer whose election timer ran out takes a new term, it asks the others whether they
//! would vote for it in that term. They answer without changing their own term or vote,
//! and say yes when that term is above their own, the sender's log is at least as
//! up-to-date as theirs, and they have no live leader (they lead, or heard from the leader
//! within the minimum election timeout). Only with a majority of yeses does it start the
//! real election. Why: a peer cut off from the cluster keeps timing out. Without pre-vote,
//! every timeout raises its term; when it comes back, that higher term deposes a working
//! leader, and the leader's last entries then wait for a new command of the next term
//! before they commit (Figure 8's rule). With pre-vote its term stays put while it is
//! alone.
//!
//! The pre-vote is skipped out of term 0: a peer at term 0 has never heard of any leader,
//! and every leader there is or was has a term of at least 1, so its RequestVote for term 1
//! can change only peers still at term 0, which have no leader to lose
//! (`a_vote_out_of_term_0_disrupts_no_one` shows it). That saves the first election of
//! every cluster a round of messages.

use super::Core;
use super::messages::{Request, RequestVoteArgs, RequestVoteReply};
use super::quorum::{VoteResult, Votes};
use super::roles::RoleState;

/// The two kinds of vote a peer campaigns for (etcd's campaign types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Campaign {
    /// Would the others vote for this peer in the next term? Changes no term anywhere.
    PreVote,
    /// The real election, in a new term.
    Election,
}

impl Campaign {
    /// The request that asks for this kind of vote.
    fn request(self, args: RequestVoteArgs) -> Request {
        match self {
            Campaign::PreVote => Request::PreVote(args),
            Campaign::Election => Request::RequestVote(args),
        }
    }
}

impl Core {
    /// The election timer ran out: campaign, with a pre-vote first unless the
    /// configuration turns it off or the vote could disrupt no one (see the module
    /// documentation).
    pub(super) fn start_campaign(&mut self) {
        let pre_vote = self.config.pre_vote && self.current_term > 0;
        self.campaign(if pre_vote {
            Campaign::PreVote
        } else {
            Campaign::Election
        });
    }

    /// Becomes a pre-candidate or the candidate of a new term, asks every other peer for
    /// its vote, and counts its own (a cluster of one wins at once).
    pub(super) fn campaign(&mut self, kind: Campaign) {
        // Both kinds ask about the next term. Requests of the last term are refused
        // (`admission`), so only this peer's own campaigns could bring it there.
        let Some(next) = self.current_term.checked_add(1) else {
            tracing::error!("no term after this one; no campaign");
            return;
        };
        let term = match kind {
            Campaign::PreVote => {
                self.become_pre_candidate();
                next
            }
            Campaign::Election => {
                self.become_candidate();
                self.current_term
            }
        };
        tracing::debug!(?kind, campaign_term = term, "campaigns");
        let args = RequestVoteArgs {
            term,
            candidate_id: self.me,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        for peer in (0..self.peers).filter(|&p| p != self.me) {
            self.out.messages.push((peer, kind.request(args.clone())));
        }
        self.poll(kind);
    }

    /// Whether a log ending at (`last_log_term`, `last_log_index`) is at least as
    /// up-to-date as this peer's (§5.4.1; checklist G7: terms first, then length).
    pub(super) fn log_is_up_to_date(&self, last_log_term: u64, last_log_index: u64) -> bool {
        let (my_term, my_index) = (self.log.last_term(), self.log.last_index());
        last_log_term > my_term || (last_log_term == my_term && last_log_index >= my_index)
    }

    /// Answers RequestVote or PreVote (for RequestVote, `step` already adopted a newer
    /// term). A granted vote is recorded and restarts the election timer; a pre-vote
    /// changes nothing here: no term, no vote, no timer.
    pub(super) fn handle_vote_request(
        &mut self,
        kind: Campaign,
        args: &RequestVoteArgs,
    ) -> RequestVoteReply {
        let grant = self.is_other_peer(args.candidate_id)
            && self.log_is_up_to_date(args.last_log_term, args.last_log_index)
            && match kind {
                Campaign::Election => {
                    args.term == self.current_term
                        && self.voted_for.is_none_or(|v| v == args.candidate_id)
                }
                Campaign::PreVote => args.term > self.current_term && !self.has_live_leader(),
            };
        if grant && kind == Campaign::Election {
            self.voted_for = Some(args.candidate_id);
            // Granting a vote restarts the timer; refusing one does not (checklist G4).
            self.reset_election_timer();
        }
        tracing::debug!(?kind, candidate = args.candidate_id, grant, "vote");
        RequestVoteReply {
            term: self.current_term,
            vote_granted: grant,
        }
    }

    /// Counts an answer to this peer's campaign of the current term (`step` dropped stale
    /// ones and acted on newer terms).
    pub(super) fn handle_vote_reply(&mut self, kind: Campaign, from: usize, granted: bool) {
        let Some(votes) = self.votes_mut(kind) else {
            return; // no longer campaigning for this kind of vote
        };
        votes.record(from, granted);
        self.poll(kind);
    }

    /// The answers of this peer's campaign of `kind` in the current term, if it runs one.
    fn votes_mut(&mut self, kind: Campaign) -> Option<&mut Votes> {
        match (&mut self.role, kind) {
            (RoleState::PreCandidate { pre_votes, .. }, Campaign::PreVote) => Some(pre_votes),
            (RoleState::Candidate { votes }, Campaign::Election)
            | (
                RoleState::PreCandidate {
                    election: Some(votes),
                    ..
                },
                Campaign::Election,
            ) => Some(votes),
            _ => None,
        }
    }

    /// Acts on where the campaign stands: a won pre-vote starts the election, a won
    /// election makes the leader; a lost one of either kind ends it.
    fn poll(&mut self, kind: Campaign) {
        let Some(result) = self.votes_mut(kind).map(|votes| votes.result()) else {
            return;
        };
        match (result, kind) {
            (VoteResult::Pending, _) => {}
            (VoteResult::Won, Campaign::PreVote) => self.campaign(Campaign::Election),
            (VoteResult::Won, Campaign::Election) => self.become_leader(),
            (VoteResult::Lost, _) => {
                tracing::debug!(?kind, "campaign lost");
                match &mut self.role {
                    // A timed-out election lost while the pre-vote goes on: stop counting it.
                    RoleState::PreCandidate { election, .. } if kind == Campaign::Election => {
                        *election = None;
                    }
                    _ => self.become_follower(self.current_term, None),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
