//! Time, in ticks: the election timer of followers and candidates, and the leader's
//! heartbeat interval. Nothing else in the core counts ticks.
//!
//! The election timer restarts when a peer grants a vote, starts a campaign, or hears from
//! the leader of its term; never when it refuses a vote or gets a stale request
//! (checklist G4). Each restart draws a new random timeout, so peers that timed out
//! together do not keep splitting the vote (checklist G5).

use super::Core;
use super::roles::RoleState;
use rand::RngExt;

impl Core {
    /// One tick: a leader's heartbeat (or this tick's new entries) goes out; anyone else
    /// whose election timer ran out starts a campaign, a candidate whose election timed
    /// out too (checklist G5).
    pub(super) fn tick(&mut self) {
        match self.role {
            RoleState::Leader { .. } => {
                self.heartbeat_elapsed += 1;
                if self.heartbeat_elapsed >= self.config.heartbeat_interval {
                    self.broadcast_append_entries();
                } else {
                    self.send_unsent_entries();
                }
            }
            RoleState::Follower | RoleState::PreCandidate { .. } | RoleState::Candidate { .. } => {
                self.election_elapsed += 1;
                if self.election_elapsed >= self.election_timeout {
                    self.start_campaign();
                }
            }
        }
    }

    /// Restarts the election timer with a new random timeout.
    pub(super) fn reset_election_timer(&mut self) {
        self.election_elapsed = 0;
        let (min, max) = (
            self.config.election_timeout_min,
            self.config.election_timeout_max,
        );
        self.election_timeout = self.rng.random_range(min..max);
    }

    /// Restarts the heartbeat interval: the leader just sent to every follower.
    pub(super) fn reset_heartbeat_timer(&mut self) {
        self.heartbeat_elapsed = 0;
    }

    /// Whether this peer has a live leader: it leads, or it heard from the leader of its
    /// term within the minimum election timeout. Such a peer refuses pre-votes.
    pub(super) fn has_live_leader(&self) -> bool {
        match self.role {
            RoleState::Leader { .. } => true,
            RoleState::Follower | RoleState::PreCandidate { .. } | RoleState::Candidate { .. } => {
                self.leader_id.is_some() && self.election_elapsed < self.config.election_timeout_min
            }
        }
    }
}
