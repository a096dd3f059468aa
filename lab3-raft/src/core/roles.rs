//! Roles, and the only functions that change them: `become_follower`,
//! `become_pre_candidate`, `become_candidate` and `become_leader`. Each one sets up the new
//! role's state in one place; state that belongs to one role ([`RoleState`]) exists only
//! while the peer has it, so a leader's `next_index` cannot outlive its term.
//!
//! Also here: `accept_leader`, Figure 2's rule that a request from the leader of the
//! current term makes a candidate give up and every follower wait anew.

use super::Core;
use super::quorum::Votes;
use std::fmt;

/// A peer's role, as others see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Follows a leader, or waits for one.
    Follower,
    /// Asks whether it could win an election, before starting one.
    PreCandidate,
    /// Asks for votes.
    Candidate,
    /// Leads its term.
    Leader,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        })
    }
}

/// Per-role state; it exists only while the peer has that role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RoleState {
    Follower,
    PreCandidate {
        /// The answers to the pre-vote.
        pre_votes: Votes,
        /// If this peer was the candidate of the current term before its election timed
        /// out: the votes of that election, still counted. Neither the paper nor etcd has
        /// this; it is here because seed 3283 of `test_figure8_unreliable_3c` failed
        /// without it: with replies held back for seconds, every election timed out before
        /// its votes came back, and no leader was elected within the test's limit. A
        /// majority of votes of this term still makes it the leader of this term (its term
        /// has not changed, and no other peer can have a majority in it). The unit test
        /// `late_votes_of_the_same_term_still_elect` fails without it.
        election: Option<Votes>,
    },
    Candidate {
        /// The answers to this election.
        votes: Votes,
    },
    Leader {
        /// Per peer: the index of the next entry to send.
        /// Invariant: `match_index[p] < next_index[p] <= last_index + 1`.
        next_index: Vec<u64>,
        /// Per peer: the highest index known to be stored there (its own last index for
        /// the leader). Never decreases within a term.
        match_index: Vec<u64>,
        /// The first entry proposed since the leader last sent to its followers in sync:
        /// they get it, and every entry after it, at the next tick. So one AppendEntries
        /// carries every command proposed within a tick (batching, as etcd's proposals
        /// wait for the next `Ready`), and a busy leader sends a round per tick, not per
        /// command.
        unsent: Option<u64>,
    },
}

impl RoleState {
    /// The role this state belongs to.
    pub(super) fn role(&self) -> Role {
        match self {
            RoleState::Follower => Role::Follower,
            RoleState::PreCandidate { .. } => Role::PreCandidate,
            RoleState::Candidate { .. } => Role::Candidate,
            RoleState::Leader { .. } => Role::Leader,
        }
    }
}

impl Core {
    /// Becomes a follower of `term` (a new term clears the vote). `leader` is the leader of
    /// that term, if this is known.
    pub(super) fn become_follower(&mut self, term: u64, leader: Option<usize>) {
        if term > self.current_term {
            self.current_term = term;
            self.voted_for = None;
            self.leader_id = None;
            tracing::Span::current().record("term", term);
        }
        if !matches!(self.role, RoleState::Follower) {
            tracing::debug!(from = %self.role(), "becomes follower");
            self.set_role(RoleState::Follower);
            self.reset_election_timer();
        }
        if leader.is_some() {
            self.leader_id = leader;
        }
    }

    /// Becomes a pre-candidate for the next term, changing no term and no vote; a candidate
    /// whose election timed out keeps counting that election's votes (see
    /// [`RoleState::PreCandidate`]).
    pub(super) fn become_pre_candidate(&mut self) {
        let election = match std::mem::replace(&mut self.role, RoleState::Follower) {
            RoleState::Candidate { votes } => Some(votes),
            RoleState::PreCandidate { election, .. } => election,
            RoleState::Follower | RoleState::Leader { .. } => None,
        };
        self.set_role(RoleState::PreCandidate {
            pre_votes: Votes::new(self.peers, self.me),
            election,
        });
        self.leader_id = None;
        self.reset_election_timer();
    }

    /// Becomes the candidate of a new term, with a vote for itself.
    pub(super) fn become_candidate(&mut self) {
        // Never saturates: `campaign` first checks that there is a next term.
        self.current_term = self.current_term.saturating_add(1);
        self.voted_for = Some(self.me);
        self.leader_id = None;
        tracing::Span::current().record("term", self.current_term);
        self.set_role(RoleState::Candidate {
            votes: Votes::new(self.peers, self.me),
        });
        self.reset_election_timer();
    }

    /// Takes the lead of the current term, and asserts it at once with AppendEntries.
    ///
    /// # Panics
    /// Unless this peer is the candidate of the current term: a leader any other way could
    /// be a second leader of the term.
    pub(super) fn become_leader(&mut self) {
        assert!(
            matches!(
                self.role,
                RoleState::Candidate { .. }
                    | RoleState::PreCandidate {
                        election: Some(_),
                        ..
                    }
            ),
            "peer {} (term {}): only the candidate of the term becomes leader, not a {}",
            self.me,
            self.current_term,
            self.role()
        );
        let last = self.log.last_index();
        let mut match_index = vec![0; self.peers];
        match_index[self.me] = last;
        self.set_role(RoleState::Leader {
            next_index: vec![last + 1; self.peers],
            match_index,
            unsent: None,
        });
        self.leader_id = Some(self.me);
        tracing::info!(index = last, "becomes leader");
        self.broadcast_append_entries();
    }

    /// Figure 2 for AppendEntries and InstallSnapshot: a request from the leader of the
    /// current term makes a candidate give up and every follower wait anew (the timer
    /// restarts only here, checklist G4). One from an older term, or naming no other peer,
    /// is refused: `false`.
    pub(super) fn accept_leader(&mut self, term: u64, leader_id: usize) -> bool {
        if term < self.current_term {
            return false;
        }
        if !self.is_other_peer(leader_id) {
            tracing::warn!(leader = leader_id, "request from no such leader; refused");
            return false;
        }
        self.become_follower(term, Some(leader_id));
        self.reset_election_timer();
        true
    }

    fn set_role(&mut self, role: RoleState) {
        self.role = role;
        tracing::Span::current().record("role", tracing::field::display(self.role()));
    }
}
