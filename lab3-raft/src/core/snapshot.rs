//! Snapshots (Lab 3D): the service's own, and InstallSnapshot on both sides.
//!
//! The service calls `snapshot(index, data)` once it has applied through `index`; the log
//! up to `index` is then dropped and the snapshot saved with the durable state in one save.
//! A leader whose follower needs entries that are only in the snapshot sends the snapshot
//! instead. A follower installs one only if it covers entries it has not committed
//! (checklist G19: an older one is ignored); it keeps the entries after the snapshot point
//! if they match, and hands the snapshot to its service in order with the commands: after
//! everything applied before, before anything applied after.

use super::Core;
use super::log::LogId;
use super::messages::{InstallSnapshotArgs, InstallSnapshotReply, Request};
use common::ApplyMsg;
use std::sync::Arc;

impl Core {
    /// The service's snapshot through `index`. Ignored if an equal or later snapshot is
    /// already in place, or if `index` was not applied yet (the service can only snapshot
    /// what it applied).
    pub(super) fn take_snapshot(&mut self, index: u64, data: Vec<u8>) {
        if index <= self.log.last_included_index() || index > self.last_applied {
            tracing::debug!(
                index,
                last_included_index = self.log.last_included_index(),
                last_applied = self.last_applied,
                "snapshot ignored"
            );
            return;
        }
        // Compacting changes the log, so this step persists the snapshot with it.
        self.log.compact(index);
        self.snapshot = Arc::from(data);
        tracing::debug!(index, "snapshot taken");
    }

    /// Sends `peer` the snapshot, for it lacks entries the log no longer holds.
    pub(super) fn send_install_snapshot(&mut self, peer: usize) {
        let args = InstallSnapshotArgs {
            term: self.current_term,
            leader_id: self.me,
            last_included_index: self.log.last_included_index(),
            last_included_term: self.log.last_included_term(),
            data: self.snapshot.to_vec(),
        };
        self.out
            .messages
            .push((peer, Request::InstallSnapshot(args)));
    }

    /// Answers InstallSnapshot (the term was already brought up to date by `step`).
    pub(super) fn handle_install_snapshot(
        &mut self,
        args: InstallSnapshotArgs,
    ) -> InstallSnapshotReply {
        let reply = InstallSnapshotReply {
            term: self.current_term,
        };
        if !self.accept_leader(args.term, args.leader_id) {
            return reply;
        }
        let index = args.last_included_index;
        if index <= self.commit_index {
            // Everything it covers is committed here and will be (or was) applied from the
            // log: an older snapshot must not take the service back (checklist G19).
            tracing::debug!(
                index,
                commit_index = self.commit_index,
                "stale snapshot ignored"
            );
            return reply;
        }
        self.log
            .install_snapshot(LogId::new(index, args.last_included_term));
        self.snapshot = Arc::from(&args.data[..]);
        self.commit_index = index;
        self.last_applied = index;
        self.out.apply.push(ApplyMsg::Snapshot {
            index,
            term: args.last_included_term,
            snapshot: args.data,
        });
        tracing::debug!(index, "snapshot installed");
        reply
    }

    /// The follower now holds everything through the snapshot point.
    pub(super) fn handle_install_snapshot_reply(
        &mut self,
        from: usize,
        args: &InstallSnapshotArgs,
    ) {
        self.record_match(from, args.last_included_index);
        self.maybe_advance_commit();
    }
}

#[cfg(test)]
mod tests;
