//! The core's invariants, checked after every step in test and debug builds (like
//! openraft's `Validate`). A violation is a bug in the core, reported with the peer, its
//! term and the numbers at fault.
//!
//! - `last_included_index <= last_applied <= commit_index <= last_index` (a restarted
//!   peer's `commit_index` may trail the leader's, never lead it);
//! - no entry has a term above `current_term`;
//! - a committed entry stays: the entry at the commit index before the step is still in
//!   the log with the same term, or a snapshot covers it (Figure 3's State Machine Safety
//!   starts here);
//! - for a leader, `match_index[p] < next_index[p] <= last_index + 1`.

use super::Core;
use super::log::LogId;
use super::roles::RoleState;

impl Core {
    /// The committed entry a step must not lose: its id before the step.
    pub(super) fn committed(&self) -> LogId {
        let index = self.commit_index;
        LogId::new(index, self.log.term(index).unwrap_or(0))
    }

    /// Checks the invariants of the module documentation; `committed` is
    /// [`Core::committed`] from before the step.
    pub(super) fn check_invariants(&self, committed: LogId) {
        let (me, term) = (self.me, self.current_term);
        let last = self.log.last_index();
        assert!(
            self.log.last_included_index() <= self.last_applied
                && self.last_applied <= self.commit_index
                && self.commit_index <= last,
            "peer {me} (term {term}): last_included_index {} <= last_applied {} <= \
             commit_index {} <= last_index {last} broken",
            self.log.last_included_index(),
            self.last_applied,
            self.commit_index
        );
        assert!(
            self.log.last_term() <= term,
            "peer {me}: log has term {} above current term {term}",
            self.log.last_term()
        );
        if committed.index > self.log.last_included_index() {
            assert_eq!(
                self.log.term(committed.index),
                Some(committed.term),
                "peer {me} (term {term}): committed entry {committed} lost from the log"
            );
        }
        if let RoleState::Leader {
            next_index,
            match_index,
            ..
        } = &self.role
        {
            for p in 0..self.peers {
                assert!(
                    match_index[p] < next_index[p] && next_index[p] <= last + 1,
                    "peer {me} (term {term}): for peer {p}, match_index {} < next_index {} \
                     <= last_index + 1 = {} broken",
                    match_index[p],
                    next_index[p],
                    last + 1
                );
            }
        }
    }
}
