//! [`Log`]: the Raft log, the only place where a log index becomes a position in memory,
//! and the one owner of "changed since the last save".
//!
//! Coordinates: log indexes start at 1, and index 0 stands for the empty prefix. A
//! snapshot (Lab 3D) replaces a prefix of the log; `last_included_index` is the last index
//! it covers and `last_included_term` that entry's term (both 0 when there is none). The
//! entries kept in memory are those after it:
//!
//! ```text
//! index:   ... last_included_index | first_index ... last_index
//! stored:      (in the snapshot)   | entries[0]  ... entries[len-1]
//! ```
//!
//! Invariant: `entries[k]` has index `last_included_index + 1 + k`, and terms never
//! decrease along the log. [`Log::term`] answers for `last_included_index` too, so an
//! AppendEntries whose `prev_log_index` is the snapshot point can still be checked.
//!
//! Every method that changes the log counts the change ([`Log::changes`]). The core
//! compares the count before and after a step to decide whether the step must be
//! persisted, so no change to the log can skip the paper's stable-storage rule, whichever
//! code makes it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// One log entry: the term of the leader that created it and the service's command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The term in which a leader appended it.
    pub term: u64,
    /// The service's encoded command, shared: every AppendEntries that carries the entry
    /// holds it, and a leader sends an entry again and again until it is acknowledged.
    #[serde(with = "common::codec::bytes")]
    pub command: Arc<[u8]>,
}

/// An entry's identity: its index and the term of the leader that created it (etcd's
/// `entryID`). By the Log Matching property, two logs that hold an entry with the same
/// `LogId` hold the same entries up to it. `LogId { index: 0, term: 0 }` is the empty
/// prefix. Shown as `index@tterm`, as in `5@t2`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogId {
    /// The entry's index.
    pub index: u64,
    /// The entry's term.
    pub term: u64,
}

impl LogId {
    /// The entry at `index` of term `term`.
    pub const fn new(index: u64, term: u64) -> LogId {
        LogId { index, term }
    }
}

impl fmt::Display for LogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@t{}", self.index, self.term)
    }
}

/// The log; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Log {
    /// The snapshot point: the last entry the snapshot covers (0@t0: none).
    last_included: LogId,
    entries: Vec<Entry>,
    /// How many changes the log has had; not part of its value.
    changes: u64,
}

/// Two logs are equal when they hold the same entries after the same snapshot point,
/// whatever their histories.
impl PartialEq for Log {
    fn eq(&self, other: &Log) -> bool {
        self.last_included == other.last_included && self.entries == other.entries
    }
}

impl Eq for Log {}

impl Log {
    /// An empty log with no snapshot.
    pub fn new() -> Log {
        Log::default()
    }

    /// A log read back from a save: a snapshot point, and the entries after it.
    ///
    /// # Errors
    /// A description of the first broken invariant of the module documentation: terms
    /// going down along the log or below the snapshot's, a snapshot term without a
    /// snapshot index, or more entries than indexes can number.
    pub fn from_parts(last_included: LogId, entries: Vec<Entry>) -> Result<Log, String> {
        if last_included.index == 0 && last_included.term != 0 {
            return Err("a snapshot term without a snapshot index".to_string());
        }
        let len = u64::try_from(entries.len()).unwrap_or(u64::MAX);
        // The log's arithmetic needs the index after the last one (`first_index` of an
        // empty log, the next append).
        if last_included
            .index
            .checked_add(len)
            .and_then(|last| last.checked_add(1))
            .is_none()
        {
            return Err(format!(
                "{len} entries after index {}: no index after the last one",
                last_included.index
            ));
        }
        let mut previous = last_included.term;
        for (k, e) in entries.iter().enumerate() {
            if e.term < previous {
                return Err(format!(
                    "term {} at index {} after term {previous}",
                    e.term,
                    last_included.index + 1 + k as u64
                ));
            }
            previous = e.term;
        }
        Ok(Log {
            last_included,
            entries,
            changes: 0,
        })
    }

    /// How many times the log has changed since it was made; the core persists a step
    /// whose count differs from the one before it.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The snapshot point: the last entry the snapshot covers (0@t0: no snapshot).
    pub fn last_included(&self) -> LogId {
        self.last_included
    }

    /// The last index the snapshot covers (0: no snapshot).
    pub fn last_included_index(&self) -> u64 {
        self.last_included.index
    }

    /// The term of the entry at `last_included_index` (0: no snapshot).
    pub fn last_included_term(&self) -> u64 {
        self.last_included.term
    }

    /// The index of the first entry held in memory (`last_index + 1` when there is none).
    pub fn first_index(&self) -> u64 {
        self.last_included.index + 1
    }

    /// The index of the last entry (0 for an empty log without a snapshot).
    pub fn last_index(&self) -> u64 {
        self.last_included.index + self.entries.len() as u64
    }

    /// The term of the last entry (0 for an empty log without a snapshot).
    pub fn last_term(&self) -> u64 {
        self.entries
            .last()
            .map_or(self.last_included.term, |e| e.term)
    }

    /// The last entry's id (the snapshot point if no entry is held).
    pub fn last(&self) -> LogId {
        LogId::new(self.last_index(), self.last_term())
    }

    /// Position in `entries` of `index`, if it is held in memory.
    fn position(&self, index: u64) -> Option<usize> {
        if index < self.first_index() || index > self.last_index() {
            return None;
        }
        usize::try_from(index - self.first_index()).ok()
    }

    /// The term of the entry at `index`: known for the held entries, for
    /// `last_included_index`, and for index 0 (term 0). `None` below the snapshot point
    /// (compacted) or past the end.
    pub fn term(&self, index: u64) -> Option<u64> {
        if index == self.last_included.index {
            return Some(self.last_included.term);
        }
        self.position(index).map(|p| self.entries[p].term)
    }

    /// The entries held in memory, from `first_index` on.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at `index`, if it is held in memory.
    pub fn entry(&self, index: u64) -> Option<&Entry> {
        self.position(index).map(|p| &self.entries[p])
    }

    /// The entries from `from` to the end (empty if `from` is past the end).
    ///
    /// # Panics
    /// If `from` is at or below the snapshot point: those entries are gone, and a caller
    /// that needs them must send the snapshot instead.
    pub fn entries_from(&self, from: u64) -> &[Entry] {
        assert!(
            from >= self.first_index(),
            "entries from {from} asked, but the log starts at {}",
            self.first_index()
        );
        let start = usize::try_from(from - self.first_index()).unwrap_or(usize::MAX);
        self.entries.get(start..).unwrap_or(&[])
    }

    /// Appends one entry and returns its index.
    pub fn append(&mut self, entry: Entry) -> u64 {
        debug_assert!(entry.term >= self.last_term(), "terms never decrease");
        self.changes += 1;
        self.entries.push(entry);
        self.last_index()
    }

    /// Removes the entries from `index` to the end.
    ///
    /// # Panics
    /// If `index` is at or below the snapshot point: what a snapshot covers is committed
    /// and can never conflict.
    pub fn truncate_from(&mut self, index: u64) {
        assert!(
            index > self.last_included.index,
            "truncating from {index}, inside the snapshot ending at {}",
            self.last_included.index
        );
        if let Some(p) = self.position(index) {
            self.changes += 1;
            self.entries.truncate(p);
        }
    }

    /// Discards the entries up to and including `index`, which a snapshot now covers, and
    /// releases their memory. Nothing happens if the snapshot already covers `index`.
    ///
    /// # Panics
    /// If `index` is past the end of the log: a snapshot covers only applied entries.
    pub fn compact(&mut self, index: u64) {
        if index <= self.last_included.index {
            return;
        }
        let Some(term) = self.term(index) else {
            panic!(
                "compacting to {index}, past the end of the log ({}..={})",
                self.first_index(),
                self.last_index()
            );
        };
        let keep_from = usize::try_from(index - self.last_included.index).unwrap_or(usize::MAX);
        // A new vector for what remains, so the old one's allocation is freed (draining
        // would keep it).
        self.entries = self.entries.split_off(keep_from);
        self.last_included = LogId::new(index, term);
        self.changes += 1;
    }

    /// Makes the log start after a snapshot that ends at `point`, received from the leader: if the log holds that very entry, the entries after it are kept (they
    /// match the leader's); otherwise the whole log is discarded.
    pub fn install_snapshot(&mut self, point: LogId) {
        if self.term(point.index) == Some(point.term) && point.index >= self.last_included.index {
            self.compact(point.index);
        } else {
            self.entries = Vec::new();
            self.last_included = point;
            self.changes += 1;
        }
    }

    /// The first index of the run of entries of term `term` that ends at `index` (the
    /// follower's `x_index` for fast backup). Stops at the first held entry.
    pub fn first_index_of_term_run(&self, index: u64) -> u64 {
        let term = self.term(index);
        let mut first = index;
        while first > self.first_index() && self.term(first - 1) == term {
            first -= 1;
        }
        first
    }

    /// The index of the last entry of term `term`, if the log holds one (the leader's side
    /// of fast backup). The snapshot point counts.
    pub fn last_index_of_term(&self, term: u64) -> Option<u64> {
        if let Some(p) = self.entries.iter().rposition(|e| e.term == term) {
            return Some(self.first_index() + p as u64);
        }
        (self.last_included.term == term && self.last_included.index > 0)
            .then_some(self.last_included.index)
    }
}

/// A log without a snapshot holding entries of these terms at indexes 1, 2, ..., each
/// with its index as the command (a compact fixture for the unit tests).
#[cfg(test)]
pub(crate) fn log_of(terms: &[u64]) -> Log {
    let mut log = Log::new();
    for &term in terms {
        let index = log.last_index() + 1;
        log.append(Entry {
            term,
            command: index.to_le_bytes().into(),
        });
    }
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_log_has_only_the_empty_prefix() {
        let log = Log::new();
        assert_eq!(
            (log.first_index(), log.last_index(), log.last_term()),
            (1, 0, 0)
        );
        assert_eq!(log.term(0), Some(0), "index 0 is the empty prefix, term 0");
        assert_eq!(log.term(1), None);
        assert!(log.entries_from(1).is_empty());
    }

    #[test]
    fn indexes_map_to_entries() {
        let log = log_of(&[1, 1, 2]);
        assert_eq!(log.last_index(), 3);
        assert_eq!(log.last_term(), 2);
        assert_eq!(
            [log.term(1), log.term(2), log.term(3), log.term(4)],
            [Some(1), Some(1), Some(2), None]
        );
        assert_eq!(log.entries_from(2).len(), 2);
        assert_eq!(log.entries_from(4).len(), 0, "past the end: nothing");
        assert_eq!(log.entries_from(9).len(), 0);
    }

    #[test]
    fn truncation_keeps_the_prefix() {
        let mut log = log_of(&[1, 1, 2, 3]);
        log.truncate_from(3);
        assert_eq!(log.last_index(), 2);
        assert_eq!(log.last_term(), 1);
        log.truncate_from(7);
        assert_eq!(log.last_index(), 2, "past the end: nothing to remove");
    }

    #[test]
    fn term_runs_for_fast_backup() {
        let log = log_of(&[1, 1, 4, 4, 4, 5]);
        assert_eq!(log.first_index_of_term_run(5), 3);
        assert_eq!(log.first_index_of_term_run(2), 1);
        assert_eq!(log.first_index_of_term_run(6), 6);
        assert_eq!(log.last_index_of_term(4), Some(5));
        assert_eq!(log.last_index_of_term(1), Some(2));
        assert_eq!(log.last_index_of_term(2), None);
        assert_eq!(
            log.last_index_of_term(0),
            None,
            "the empty prefix is no entry"
        );
    }

    /// A log after a snapshot at index 3 (term 2), holding entries 4 and 5.
    fn compacted() -> Log {
        let mut log = log_of(&[1, 1, 2, 2, 3]);
        log.compact(3);
        log
    }

    #[test]
    fn compaction_keeps_coordinates() {
        let log = compacted();
        assert_eq!(
            (log.last_included_index(), log.last_included_term()),
            (3, 2)
        );
        assert_eq!(
            (log.first_index(), log.last_index(), log.last_term()),
            (4, 5, 3)
        );
        assert_eq!(log.term(3), Some(2), "the snapshot point keeps its term");
        assert_eq!(log.term(2), None, "compacted");
        assert_eq!(log.entry(3), None);
        assert_eq!(log.entry(4).map(|e| e.term), Some(2));
        assert_eq!(log.entries_from(4).len(), 2);
        assert_eq!(log.entries_from(6).len(), 0);
    }

    #[test]
    fn an_empty_log_after_a_snapshot() {
        let mut log = log_of(&[1, 2, 2]);
        log.compact(3);
        assert_eq!(
            (log.first_index(), log.last_index(), log.last_term()),
            (4, 3, 2)
        );
        assert_eq!(log.term(3), Some(2));
        assert!(log.entries_from(4).is_empty());
        assert_eq!(
            log.append(Entry {
                term: 3,
                command: Arc::from([])
            }),
            4
        );
        assert_eq!(
            log.last_index_of_term(2),
            Some(3),
            "the snapshot point counts"
        );
    }

    #[test]
    fn compaction_is_idempotent_and_frees_memory() {
        let mut log = log_of(&[1; 1000]);
        log.compact(999);
        assert!(
            log.entries.capacity() < 16,
            "capacity {}",
            log.entries.capacity()
        );
        log.compact(500);
        assert_eq!(
            log.last_included_index(),
            999,
            "an older point changes nothing"
        );
    }

    #[test]
    #[should_panic(expected = "inside the snapshot")]
    fn truncating_inside_the_snapshot_is_a_bug() {
        compacted().truncate_from(3);
    }

    #[test]
    #[should_panic(expected = "the log starts at 4")]
    fn entries_inside_the_snapshot_are_gone() {
        let _ = compacted().entries_from(3);
    }

    #[test]
    fn installing_a_snapshot_keeps_a_matching_suffix() {
        let mut log = log_of(&[1, 1, 2, 2, 3]);
        log.install_snapshot(LogId::new(3, 2));
        assert_eq!(
            (log.first_index(), log.last_index()),
            (4, 5),
            "entries 4 and 5 kept"
        );
        let mut log = log_of(&[1, 1, 2, 2, 3]);
        log.install_snapshot(LogId::new(3, 5));
        assert_eq!(
            (log.last_included_index(), log.last_index()),
            (3, 3),
            "term differs: all gone"
        );
        let mut log = log_of(&[1]);
        log.install_snapshot(LogId::new(7, 4));
        assert_eq!(
            (log.first_index(), log.last_index(), log.last_term()),
            (8, 7, 4)
        );
    }

    /// Every change to the log is counted, so the core can tell that a step must be
    /// persisted whichever method made the change; what changes nothing is not counted.
    #[test]
    fn every_change_is_counted() {
        let mut log = log_of(&[1, 1, 2]);
        let mut last = log.changes();
        let mut changed = |log: &Log, expected: bool, what: &str| {
            assert_eq!(log.changes() != last, expected, "{what}");
            last = log.changes();
        };
        log.append(Entry {
            term: 2,
            command: Arc::from([]),
        });
        changed(&log, true, "append");
        log.truncate_from(9);
        changed(&log, false, "truncate past the end");
        log.truncate_from(4);
        changed(&log, true, "truncate");
        log.compact(2);
        changed(&log, true, "compact");
        log.compact(1);
        changed(&log, false, "compact to an older point");
        log.install_snapshot(LogId::new(3, 2));
        changed(&log, true, "install a snapshot that keeps a suffix");
        log.install_snapshot(LogId::new(9, 4));
        changed(&log, true, "install a snapshot that replaces the log");
    }

    /// A log read back from outside is checked before it is used.
    #[test]
    fn a_log_from_parts_is_checked() {
        let entry = |term| Entry {
            term,
            command: Arc::from([]),
        };
        assert!(Log::from_parts(LogId::new(2, 1), vec![entry(1), entry(3)]).is_ok());
        for (name, point, entries) in [
            ("terms go down", LogId::new(0, 0), vec![entry(3), entry(1)]),
            (
                "below the snapshot's term",
                LogId::new(2, 4),
                vec![entry(3)],
            ),
            ("a term without an index", LogId::new(0, 2), vec![]),
            (
                "past the last index",
                LogId::new(u64::MAX, 1),
                vec![entry(1)],
            ),
        ] {
            assert!(Log::from_parts(point, entries).is_err(), "{name}");
        }
    }
}
