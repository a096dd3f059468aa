//! Log replication: the service's proposals, AppendEntries on the leader's and on the
//! follower's side, the fast backup of `next_index`, and the commit rule.
//!
//! Figure 2, follower side: refuse a request from an older term; refuse if the log has no
//! entry at `prev_log_index` with `prev_log_term`; delete an existing entry that conflicts
//! with a new one (same index, different term) and all that follow it; append the entries
//! not already there; set `commit_index` to min(`leader_commit`, index of the last new
//! entry). Leader side: on success, `match_index` and `next_index` advance to what was
//! sent, and what the follower still lacks goes out at once; on a mismatch, `next_index`
//! backs up (by the course's `x_term`/`x_index`/`x_len`, a term at a time) and the leader
//! retries at once. New commands go out at the next tick to the followers that are up to
//! date, all of that tick's commands in one request. The leader commits an index stored on
//! a majority only if its entry is of the current term (§5.4.2, Figure 8).

use super::Core;
use super::log::{Entry, LogId};
use super::messages::{AppendEntriesArgs, AppendEntriesReply, Request};
use super::quorum::majority_index;
use super::roles::RoleState;

impl Core {
    /// The service's `Start`: appends `command` if this peer leads. It goes out with the
    /// other commands of this tick at the next tick (see `send_unsent_entries`).
    pub(super) fn propose(&mut self, command: Vec<u8>) -> Option<LogId> {
        let RoleState::Leader {
            next_index,
            match_index,
            unsent,
        } = &mut self.role
        else {
            return None;
        };
        let term = self.current_term;
        let index = self.log.append(Entry {
            term,
            command: command.into(),
        });
        match_index[self.me] = index;
        next_index[self.me] = index + 1;
        unsent.get_or_insert(index);
        tracing::debug!(index, "proposed");
        // A cluster of one commits at once.
        self.maybe_advance_commit();
        if self.config.send_on_propose {
            self.send_unsent_entries();
        }
        Some(LogId::new(index, term))
    }

    /// Sends AppendEntries to every follower (new entries, or a heartbeat), and restarts
    /// the heartbeat interval.
    pub(super) fn broadcast_append_entries(&mut self) {
        self.reset_heartbeat_timer();
        if let RoleState::Leader { unsent, .. } = &mut self.role {
            *unsent = None;
        }
        let me = self.me;
        for peer in (0..self.peers).filter(|&p| p != me) {
            self.send_append_entries(peer);
        }
    }

    /// Replicates the entries proposed since the last tick to the followers that had
    /// everything before them. A follower still missing earlier entries has a request on
    /// its way or gets one at the next heartbeat, and each success sends it what it still
    /// lacks; sending it the whole missing suffix again at every tick would cost a lagging
    /// or cut-off follower a copy of its backlog per tick.
    pub(super) fn send_unsent_entries(&mut self) {
        let RoleState::Leader {
            next_index, unsent, ..
        } = &mut self.role
        else {
            return;
        };
        let Some(index) = unsent.take() else {
            return;
        };
        let me = self.me;
        let in_sync: Vec<usize> = (0..self.peers)
            .filter(|&p| p != me && next_index[p] == index)
            .collect();
        for peer in in_sync {
            self.send_append_entries(peer);
        }
    }

    /// Sends `peer` the entries from its `next_index` to the end of the log.
    pub(super) fn send_append_entries(&mut self, peer: usize) {
        let RoleState::Leader { next_index, .. } = &self.role else {
            return;
        };
        let prev_log_index = next_index[peer] - 1;
        let Some(prev_log_term) = self.log.term(prev_log_index) else {
            // The entries it needs are in the snapshot now.
            self.send_install_snapshot(peer);
            return;
        };
        let args = AppendEntriesArgs {
            term: self.current_term,
            leader_id: self.me,
            prev_log_index,
            prev_log_term,
            entries: self.log.entries_from(prev_log_index + 1).to_vec(),
            leader_commit: self.commit_index,
        };
        self.out.messages.push((peer, Request::AppendEntries(args)));
    }

    /// Answers AppendEntries (the term was already brought up to date by `step`).
    pub(super) fn handle_append_entries(
        &mut self,
        mut args: AppendEntriesArgs,
    ) -> AppendEntriesReply {
        let mut reply = AppendEntriesReply {
            term: self.current_term,
            success: false,
            x_term: None,
            x_index: 0,
            x_len: self.log.last_index() + 1,
        };
        if !self.accept_leader(args.term, args.leader_id) {
            return reply;
        }
        let snapshot_index = self.log.last_included_index();
        if args.prev_log_index < snapshot_index {
            // Reaching into the snapshot (3D): what it covers is committed, so it matches
            // the leader's log; only the entries past it are checked and stored.
            let skip = usize::try_from(snapshot_index - args.prev_log_index).unwrap_or(usize::MAX);
            if args.entries.len() <= skip {
                reply.success = true;
                return reply;
            }
            // The request's entry at the snapshot point must be the one the snapshot ends
            // with (Log Matching); one that is not contradicts a committed entry, which
            // only a bug can send (the same refusal as a truncation of one).
            let at_point = args.entries[skip - 1].term;
            if at_point != self.log.last_included_term() {
                let what = format!(
                    "has term {at_point} at index {snapshot_index}, where the snapshot has \
                     term {}: a committed entry would be contradicted",
                    self.log.last_included_term()
                );
                self.refuse_violation(args.leader_id, snapshot_index, &what);
                return reply;
            }
            args.entries.drain(..skip);
            args.prev_log_index = snapshot_index;
            args.prev_log_term = self.log.last_included_term();
        }

        // The consistency check, for heartbeats too (checklist G1).
        match self.log.term(args.prev_log_index) {
            Some(term) if term == args.prev_log_term => {}
            Some(term) => {
                reply.x_term = Some(term);
                reply.x_index = self.log.first_index_of_term_run(args.prev_log_index);
                tracing::debug!(
                    index = args.prev_log_index,
                    x_term = term,
                    x_index = reply.x_index,
                    "log mismatch"
                );
                return reply;
            }
            None => {
                tracing::debug!(
                    index = args.prev_log_index,
                    x_len = reply.x_len,
                    "log too short"
                );
                return reply;
            }
        }

        let Some(covered) =
            self.append_entries_at(args.leader_id, args.prev_log_index, args.entries)
        else {
            return reply;
        };
        self.advance_follower_commit(args.leader_commit, covered);
        reply.success = true;
        reply
    }

    /// Stores `entries` after `prev_log_index` (which matches), truncating only from the
    /// first entry that conflicts, so a late, shorter request never cuts off entries that
    /// follow (checklist G2). Returns the index of the last entry the request covers.
    ///
    /// Returns `None`, with the log untouched and [`Output::violation`] set, if the first
    /// conflicting entry is committed: a leader's log holds every committed entry (Leader
    /// Completeness), so only a bug can send this, and obeying would lose an entry the
    /// service may have applied (raft-rs's `maybe_append` stops there too).
    ///
    /// [`Output::violation`]: super::Output::violation
    fn append_entries_at(
        &mut self,
        leader: usize,
        prev_log_index: u64,
        entries: Vec<Entry>,
    ) -> Option<u64> {
        let covered = prev_log_index + entries.len() as u64;
        // Entries already here (same index, same term) are skipped, not rewritten.
        let present = entries
            .iter()
            .enumerate()
            .take_while(|(k, entry)| {
                self.log.term(prev_log_index + 1 + *k as u64) == Some(entry.term)
            })
            .count();
        let first_new = prev_log_index + 1 + present as u64;
        if present < entries.len() && first_new <= self.log.last_index() {
            if first_new <= self.commit_index {
                let what = format!(
                    "conflicts at index {first_new}, at or below commit_index {}: a \
                     committed entry would be truncated",
                    self.commit_index
                );
                self.refuse_violation(leader, first_new, &what);
                return None;
            }
            tracing::debug!(index = first_new, "conflict: truncating");
            self.log.truncate_from(first_new);
        }
        for entry in entries.into_iter().skip(present) {
            self.log.append(entry);
        }
        Some(covered)
    }

    /// Refuses an AppendEntries from `leader` that would break a committed entry at
    /// `index` (`what` says how): logged at error level and reported in
    /// [`Output::violation`](super::Output::violation), for the driver to fail a simulated
    /// world with.
    fn refuse_violation(&mut self, leader: usize, index: u64, what: &str) {
        let violation = format!(
            "peer {} (term {}): AppendEntries from leader {leader} {what}; refused",
            self.me, self.current_term
        );
        tracing::error!(leader, index, "{violation}");
        self.out.violation = Some(violation);
    }

    /// A follower's commit index follows the leader's, but only as far as this request
    /// showed the log matches the leader's (checklist G3); it never moves back.
    fn advance_follower_commit(&mut self, leader_commit: u64, covered: u64) {
        let commit = leader_commit.min(covered);
        if commit > self.commit_index {
            self.commit_index = commit;
        }
    }

    /// Handles a reply to an AppendEntries of the current term (stale ones never get here).
    pub(super) fn handle_append_entries_reply(
        &mut self,
        from: usize,
        args: &AppendEntriesArgs,
        reply: &AppendEntriesReply,
    ) {
        let RoleState::Leader {
            next_index,
            match_index,
            ..
        } = &mut self.role
        else {
            return;
        };
        if reply.success {
            let matched = args.prev_log_index + args.entries.len() as u64;
            // Only the reply to the latest request sends more, so that older replies
            // arriving after it do not send the same entries again.
            let latest = matched + 1 >= next_index[from];
            self.record_match(from, matched);
            let send_more = latest && matched < self.log.last_index();
            self.maybe_advance_commit();
            if send_more {
                // Entries came in since that request: send them now (see
                // send_unsent_entries).
                self.send_append_entries(from);
            }
            return;
        }
        if args.prev_log_index + 1 != next_index[from] {
            // About a position the leader has already moved on from.
            return;
        }
        // A mismatch: back up a whole term at a time (checklist G13).
        let backed_up = match reply.x_term {
            None => reply.x_len,
            Some(term) => match self.log.last_index_of_term(term) {
                Some(last_of_term) => last_of_term + 1,
                None => reply.x_index,
            },
        };
        // Always back up by at least one, never below what the peer is known to hold.
        next_index[from] = backed_up
            .min(args.prev_log_index)
            .max(match_index[from] + 1);
        tracing::debug!(follower = from, next_index = next_index[from], "backs up");
        self.send_append_entries(from);
    }

    /// Peer `from` holds everything through `matched`: from what was sent, not from the
    /// log as it is now (checklist G9); replies may come back out of order, so progress
    /// never moves backwards.
    pub(super) fn record_match(&mut self, from: usize, matched: u64) {
        if let RoleState::Leader {
            next_index,
            match_index,
            ..
        } = &mut self.role
        {
            match_index[from] = match_index[from].max(matched);
            next_index[from] = next_index[from].max(matched + 1);
        }
    }

    /// Commits the highest index stored on a majority, if its entry is of the current term
    /// (checklist G11: older entries are committed only by a current-term entry after them).
    pub(super) fn maybe_advance_commit(&mut self) {
        let RoleState::Leader { match_index, .. } = &self.role else {
            return;
        };
        let majority = majority_index(match_index);
        if majority > self.commit_index && self.log.term(majority) == Some(self.current_term) {
            tracing::debug!(index = majority, "commits");
            self.commit_index = majority;
        }
    }
}

#[cfg(test)]
mod tests;
