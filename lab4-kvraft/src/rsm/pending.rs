//! [`Pending`]: the requests a server proposed to Raft and still waits on. Pure.
//!
//! A request is known by the (index, term) that [`lab3_raft::Raft::start`] returned. When
//! index `i` is applied with term `t`, the waiter at `i` gets the result only if it
//! proposed in term `t`: by the Log Matching property, an entry at `i` of term `t` is the
//! one that leader created, so it is this request. Any other term means a later leader
//! replaced the entry with another one (checklist G16, "re-appearing indices"), and the
//! waiter must be told to retry, never handed another client's result.

use std::collections::BTreeMap;

/// Waiters by log index. See the module documentation.
#[derive(Debug)]
pub struct Pending<W> {
    waiting: BTreeMap<u64, Waiter<W>>,
}

#[derive(Debug)]
struct Waiter<W> {
    term: u64,
    waiter: W,
}

impl<W> Default for Pending<W> {
    fn default() -> Self {
        Pending {
            waiting: BTreeMap::new(),
        }
    }
}

impl<W> Pending<W> {
    /// No waiters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `waiter` for the entry proposed at (`index`, `term`). Returns the waiter it
    /// displaces: one that proposed at `index` in an earlier term, whose entry is gone.
    pub fn insert(&mut self, index: u64, term: u64, waiter: W) -> Option<W> {
        self.waiting
            .insert(index, Waiter { term, waiter })
            .map(|old| old.waiter)
    }

    /// Index `index` was applied with term `term`. Returns the waiter whose entry it is,
    /// if any, and the waiters at `index` or below whose entries were replaced.
    pub fn applied(&mut self, index: u64, term: u64) -> (Option<W>, Vec<W>) {
        let mut lost = self.through(index);
        let matched = match lost.pop() {
            Some((i, w)) if i == index && w.term == term => Some(w.waiter),
            Some(other) => {
                lost.push(other);
                None
            }
            None => None,
        };
        (matched, lost.into_iter().map(|(_, w)| w.waiter).collect())
    }

    /// A snapshot through `index` was installed: the waiters at or below it cannot learn
    /// their outcome. Returns them.
    pub fn covered(&mut self, index: u64) -> Vec<W> {
        self.through(index)
            .into_iter()
            .map(|(_, w)| w.waiter)
            .collect()
    }

    /// Removes the waiter at (`index`, `term`) if it is still there (it gave up).
    pub fn remove(&mut self, index: u64, term: u64) -> Option<W> {
        match self.waiting.get(&index) {
            Some(w) if w.term == term => self.waiting.remove(&index).map(|w| w.waiter),
            _ => None,
        }
    }

    /// Removes every waiter.
    pub fn drain(&mut self) -> Vec<W> {
        std::mem::take(&mut self.waiting)
            .into_values()
            .map(|w| w.waiter)
            .collect()
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Removes and returns the waiters at `index` or below, in index order.
    fn through(&mut self, index: u64) -> Vec<(u64, Waiter<W>)> {
        let rest = self.waiting.split_off(&(index + 1));
        std::mem::replace(&mut self.waiting, rest)
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checklist G16: the entry applied at the waited index is the request's own only if
    /// its term is the one `start` returned.
    #[test]
    fn the_waiter_gets_its_index_only_in_its_own_term() {
        let mut p = Pending::new();
        p.insert(5, 2, "a");
        assert_eq!(p.applied(5, 2), (Some("a"), vec![]));
        p.insert(6, 2, "b");
        assert_eq!(p.applied(6, 3), (None, vec!["b"]), "a later leader's entry");
        assert!(p.is_empty());
    }

    #[test]
    fn waiters_below_an_applied_index_lost_their_entries() {
        let mut p = Pending::new();
        p.insert(3, 1, "old");
        p.insert(4, 1, "this");
        p.insert(9, 1, "later");
        assert_eq!(p.applied(4, 1), (Some("this"), vec!["old"]));
        assert_eq!(p.len(), 1, "a later index keeps waiting");
    }

    #[test]
    fn a_new_proposal_at_an_index_displaces_the_old_one() {
        let mut p = Pending::new();
        assert_eq!(p.insert(4, 1, "old"), None);
        assert_eq!(p.insert(4, 2, "new"), Some("old"));
        assert_eq!(p.applied(4, 2), (Some("new"), vec![]));
    }

    #[test]
    fn a_snapshot_covers_the_waiters_through_its_index() {
        let mut p = Pending::new();
        p.insert(2, 1, "a");
        p.insert(3, 1, "b");
        p.insert(8, 1, "c");
        assert_eq!(p.covered(3), vec!["a", "b"]);
        assert_eq!(p.drain(), vec!["c"]);
    }

    #[test]
    fn a_waiter_that_gave_up_is_removed_only_if_still_its_own() {
        let mut p = Pending::new();
        p.insert(4, 1, "old");
        p.insert(4, 2, "new");
        assert_eq!(p.remove(4, 1), None, "the slot belongs to the new proposal");
        assert_eq!(p.remove(4, 2), Some("new"));
    }
}
