//! What the tester's appliers record: every command each peer applied, by index, checked
//! as it arrives against what the others applied there (the course's `checkLogs`), and
//! the appliers themselves (the course's `applier` and `applierSnap`).

use super::show_cmd;
use crate::Raft;
use common::ApplyMsg;
use common::sim;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// What every peer applied, shared by a tester and its appliers: cheap to clone.
#[derive(Clone)]
pub struct AppliedLogs(Arc<Mutex<Applied>>);

impl AppliedLogs {
    /// Nothing applied yet by `n` peers, each snapshotting every [`super::SNAPSHOT_INTERVAL`]
    /// entries when snapshots are on.
    pub fn new(n: usize) -> AppliedLogs {
        AppliedLogs(Arc::new(Mutex::new(Applied {
            logs: vec![BTreeMap::new(); n],
            max_index: 0,
            forbid_rollback: false,
            intervals: vec![super::SNAPSHOT_INTERVAL; n],
        })))
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Applied> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The highest index any peer applied.
    pub fn max_index(&self) -> u64 {
        self.lock().max_index
    }
}

/// What the appliers record, shared with their tasks.
#[derive(Default)]
pub(super) struct Applied {
    /// Per peer: the commands it applied, by index. Kept across restarts, as the course's,
    /// and replaced by the contents of a snapshot when one is installed.
    pub(super) logs: Vec<BTreeMap<u64, Vec<u8>>>,
    /// The highest index any peer applied.
    pub(super) max_index: u64,
    /// Beyond the course ([`super::Tester::forbid_rollback`]): a snapshot behind what the
    /// instance already applied fails the test.
    pub(super) forbid_rollback: bool,
    /// Per peer, every how many entries its applier snapshots (the course's
    /// [`super::SNAPSHOT_INTERVAL`] unless [`super::Tester::set_snapshot_interval`] changed it).
    pub(super) intervals: Vec<u64>,
}

impl Applied {
    /// The course's `checkLogs`: records peer `i`'s command at `index`, failing on a
    /// different command from another peer there.
    fn check_and_record(&mut self, i: usize, index: u64, command: Vec<u8>) {
        for (j, log) in self.logs.iter().enumerate() {
            if let Some(old) = log.get(&index) {
                assert!(
                    *old == command,
                    "apply error: commit index={index} server={i} {} != server={j} {}",
                    show_cmd(&command),
                    show_cmd(old)
                );
            }
        }
        self.logs[i].insert(index, command);
        self.max_index = self.max_index.max(index);
    }

    /// The tester's snapshot of peer `i` through `index`: the index, then every command
    /// from 1 through it (the course's encoding of `lastIncludedIndex` and the log).
    fn snapshot(&self, i: usize, index: u64) -> Vec<u8> {
        let commands: Vec<&Vec<u8>> = (1..=index)
            .map(|k| {
                self.logs[i]
                    .get(&k)
                    .unwrap_or_else(|| panic!("server {i} snapshots {index} without entry {k}"))
            })
            .collect();
        common::codec::encode(&(index, commands))
            .unwrap_or_else(|e| panic!("encoding a snapshot: {e}"))
    }

    /// The course's `ingestSnap`: replaces peer `i`'s applied commands by a snapshot's;
    /// returns the last index it holds.
    pub(super) fn ingest(&mut self, i: usize, snapshot: &[u8], index: Option<u64>) -> u64 {
        let (last, commands): (u64, Vec<Vec<u8>>) = common::codec::decode(snapshot)
            .unwrap_or_else(|e| panic!("apply error: server {i} snapshot does not decode: {e}"));
        if let Some(index) = index {
            assert_eq!(
                last, index,
                "server {i} snapshot doesn't match m.SnapshotIndex"
            );
        }
        self.logs[i] = BTreeMap::new();
        for (k, command) in (1..).zip(commands) {
            self.check_and_record(i, k, command);
        }
        last
    }
}

/// What an applier waits on, for the report of a stopped world.
fn reading(i: usize) -> String {
    format!("peer {i}'s apply channel (the tester's applier reads it)")
}

/// The course's `applier`: records what peer `i` applies, failing the test if it differs
/// from what another peer applied at that index, or comes out of order.
pub(super) async fn applier(
    i: usize,
    mut apply_rx: mpsc::Receiver<ApplyMsg>,
    applied: AppliedLogs,
) {
    while let Some(msg) = sim::waiting(reading(i), apply_rx.recv()).await {
        let ApplyMsg::Command { index, command, .. } = msg else {
            continue;
        };
        let mut applied = applied.lock();
        let in_order = index == 1 || applied.logs[i].contains_key(&(index - 1));
        applied.check_and_record(i, index, command);
        assert!(
            in_order,
            "apply error: server {i} apply out of order {index}"
        );
    }
}

/// The course's `applierSnap`: as [`applier`], but commands must come exactly in order
/// after the last one or the last snapshot (`last_applied`: what the instance started
/// from), snapshots replace what was applied, and every [`super::SNAPSHOT_INTERVAL`] entries (or
/// the peer's own interval, beyond the course) the peer is told to snapshot, from this
/// task, as the course's applier does.
pub(super) async fn applier_snap(
    i: usize,
    mut apply_rx: mpsc::Receiver<ApplyMsg>,
    applied: AppliedLogs,
    raft: Raft,
    mut last_applied: u64,
) {
    while let Some(msg) = sim::waiting(reading(i), apply_rx.recv()).await {
        let snapshot = {
            let mut applied = applied.lock();
            match msg {
                ApplyMsg::Snapshot {
                    index, snapshot, ..
                } => {
                    assert!(
                        !applied.forbid_rollback || index >= last_applied,
                        "apply error: server {i} delivers a snapshot at index {index}, behind index {last_applied} it has applied (its service would go back in time)"
                    );
                    last_applied = applied.ingest(i, &snapshot, Some(index));
                    None
                }
                ApplyMsg::Command { index, command, .. } => {
                    let expected = last_applied + 1;
                    assert_eq!(
                        index, expected,
                        "apply error: server {i} apply out of order, expected index {expected}, got {index}"
                    );
                    applied.check_and_record(i, index, command);
                    last_applied = index;
                    ((index + 1) % applied.intervals[i] == 0)
                        .then(|| (index, applied.snapshot(i, index)))
                }
            }
        };
        if let Some((index, data)) = snapshot {
            raft.snapshot(index, data);
        }
    }
}
