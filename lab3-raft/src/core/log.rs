//! [`Log`]: the Raft log and the only place where a log index becomes a position in memory.
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

use serde::{Deserialize, Serialize};

/// One log entry: the term of the leader that created it and the service's command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The term in which a leader appended it.
    pub term: u64,
    /// The service's encoded command.
    pub command: Vec<u8>,
}

/// The log; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    last_included_index: u64,
    last_included_term: u64,
    entries: Vec<Entry>,
}

impl Log {
    /// An empty log with no snapshot.
    pub fn new() -> Log {
        Log::default()
    }

    /// The last index the snapshot covers (0: no snapshot).
    pub fn last_included_index(&self) -> u64 {
        self.last_included_index
    }

    /// The term of the entry at `last_included_index` (0: no snapshot).
    pub fn last_included_term(&self) -> u64 {
        self.last_included_term
    }

    /// The index of the first entry held in memory (`last_index + 1` when there is none).
    pub fn first_index(&self) -> u64 {
        self.last_included_index + 1
    }

    /// The index of the last entry (0 for an empty log without a snapshot).
    pub fn last_index(&self) -> u64 {
        self.last_included_index + self.entries.len() as u64
    }

    /// The term of the last entry (0 for an empty log without a snapshot).
    pub fn last_term(&self) -> u64 {
        self.entries
            .last()
            .map_or(self.last_included_term, |e| e.term)
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
        if index == self.last_included_index {
            return Some(self.last_included_term);
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
            index > self.last_included_index,
            "truncating from {index}, inside the snapshot ending at {}",
            self.last_included_index
        );
        if let Some(p) = self.position(index) {
            self.entries.truncate(p);
        }
    }

    /// Discards the entries up to and including `index`, which a snapshot now covers, and
    /// releases their memory. Nothing happens if the snapshot already covers `index`.
    ///
    /// # Panics
    /// If `index` is past the end of the log: a snapshot covers only applied entries.
    pub fn compact(&mut self, index: u64) {
        if index <= self.last_included_index {
            return;
        }
        let Some(term) = self.term(index) else {
            panic!(
                "compacting to {index}, past the end of the log ({}..={})",
                self.first_index(),
                self.last_index()
            );
        };
        let keep_from = usize::try_from(index - self.last_included_index).unwrap_or(usize::MAX);
        // A new vector for what remains, so the old one's allocation is freed (draining
        // would keep it).
        self.entries = self.entries.split_off(keep_from);
        self.last_included_index = index;
        self.last_included_term = term;
    }

    /// Makes the log start after a snapshot that ends at (`index`, `term`) received from
    /// the leader: if the log holds that very entry, the entries after it are kept (they
    /// match the leader's); otherwise the whole log is discarded.
    pub fn install_snapshot(&mut self, index: u64, term: u64) {
        if self.term(index) == Some(term) && index >= self.last_included_index {
            self.compact(index);
        } else {
            self.entries = Vec::new();
            self.last_included_index = index;
            self.last_included_term = term;
        }
    }

    /// Checks the invariants of the module documentation on a log read from outside
    /// (persisted state): terms never decrease, and none is below the snapshot's.
    ///
    /// # Errors
    /// A description of the first broken invariant.
    pub fn validate(&self) -> Result<(), String> {
        let mut previous = self.last_included_term;
        for (k, e) in self.entries.iter().enumerate() {
            if e.term < previous {
                return Err(format!(
                    "term {} at index {} after term {previous}",
                    e.term,
                    self.first_index() + k as u64
                ));
            }
            previous = e.term;
        }
        if self.last_included_index == 0 && self.last_included_term != 0 {
            return Err("a snapshot term without a snapshot index".to_string());
        }
        Ok(())
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
        (self.last_included_term == term && self.last_included_index > 0)
            .then_some(self.last_included_index)
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
            command: index.to_le_bytes().to_vec(),
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
                command: vec![]
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
        log.install_snapshot(3, 2);
        assert_eq!(
            (log.first_index(), log.last_index()),
            (4, 5),
            "entries 4 and 5 kept"
        );
        let mut log = log_of(&[1, 1, 2, 2, 3]);
        log.install_snapshot(3, 5);
        assert_eq!(
            (log.last_included_index(), log.last_index()),
            (3, 3),
            "term differs: all gone"
        );
        let mut log = log_of(&[1]);
        log.install_snapshot(7, 4);
        assert_eq!(
            (log.first_index(), log.last_index(), log.last_term()),
            (8, 7, 4)
        );
    }
}
