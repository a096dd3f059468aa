//! Durable state of a Raft peer: the [`Persister`] trait, [`MemPersister`], the
//! in-memory one the testers use, and [`FilePersister`], the one on disk that the real
//! cluster uses.
//!
//! `save` has the course's semantics (`Save(raftstate, snapshot)`): it replaces both, and
//! an empty snapshot erases the saved one. A Raft that saves its state without its
//! snapshot after a restart therefore loses the snapshot, as it would in the course. The
//! snapshot is passed as shared bytes ([`Arc<[u8]>`]), so a Raft that keeps its snapshot
//! that way saves it with every change of its state without copying it.
//!
//! The Raft state can also be saved as shared pieces ([`Persister::save_pieces`]): a Raft
//! whose state is mostly a log that only grows keeps the log's encoding in sealed pieces
//! and passes them again with each save, so a save costs what changed, not a copy of the
//! whole log. A persister that cannot keep pieces saves their concatenation.
//!
//! A crash is simulated by giving the restarted peer a [`MemPersister::copy`]: the old,
//! killed instance may still write to its own object, but nothing it writes after the
//! crash can reach the new instance (the course's `Copy()` on every crash and restart).

mod file;
pub mod format;

pub use file::{Durability, FilePersister, OpenError, Problem};

use std::sync::{Arc, Mutex, MutexGuard};

/// Where a peer keeps its Raft state and its service's snapshot.
///
/// `save` stores both in one atomic step, so a crash never leaves a snapshot without the
/// Raft state that matches it.
///
/// ```
/// use common::persister::{MemPersister, Persister};
/// use std::sync::Arc;
/// let p = MemPersister::new();
/// p.save(b"state 1".to_vec(), Arc::from(&b"snapshot"[..]));
/// p.save(b"state 2".to_vec(), Arc::from(&[][..])); // no snapshot: the old one is gone
/// assert_eq!(p.read_snapshot(), b"");
/// ```
pub trait Persister: Send + Sync {
    /// The last saved Raft state (empty if none).
    fn read_raft_state(&self) -> Vec<u8>;
    /// The last saved snapshot (empty if none).
    fn read_snapshot(&self) -> Vec<u8>;
    /// Replaces the saved Raft state and snapshot with these, as one atomic step; an empty
    /// `snapshot` erases the saved one (the course's `Save`).
    fn save(&self, raft_state: Vec<u8>, snapshot: Arc<[u8]>);
    /// Saves the Raft state given as consecutive pieces, exactly as `save` saves their
    /// concatenation. The default concatenates; a persister that can keep the shared
    /// pieces as they are overrides it.
    fn save_pieces(&self, raft_state: &[Arc<[u8]>], snapshot: Arc<[u8]>) {
        self.save(raft_state.concat(), snapshot);
    }
    /// Size in bytes of the saved Raft state.
    fn raft_state_size(&self) -> usize;
    /// Size in bytes of the saved snapshot.
    fn snapshot_size(&self) -> usize;
}

#[derive(Debug, Default, Clone)]
struct Stored {
    /// Moved or shared in by a save, never copied there: Raft saves on every change.
    raft_state: RaftState,
    snapshot: Arc<[u8]>,
}

/// A saved Raft state, as the save gave it.
#[derive(Debug, Clone)]
enum RaftState {
    Whole(Vec<u8>),
    /// The pieces, and their total length.
    Pieces(Vec<Arc<[u8]>>, usize),
}

impl Default for RaftState {
    fn default() -> Self {
        RaftState::Whole(Vec::new())
    }
}

impl RaftState {
    fn len(&self) -> usize {
        match self {
            RaftState::Whole(bytes) => bytes.len(),
            RaftState::Pieces(_, len) => *len,
        }
    }

    fn to_vec(&self) -> Vec<u8> {
        match self {
            RaftState::Whole(bytes) => bytes.clone(),
            RaftState::Pieces(pieces, _) => pieces.concat(),
        }
    }
}

/// An in-memory [`Persister`]. Clones share one store; [`MemPersister::copy`] does not.
#[derive(Debug, Default, Clone)]
pub struct MemPersister {
    stored: Arc<Mutex<Stored>>,
}

impl MemPersister {
    /// An empty persister.
    pub fn new() -> MemPersister {
        MemPersister::default()
    }

    /// A new, independent persister holding what this one holds now: what survives a crash.
    pub fn copy(&self) -> MemPersister {
        MemPersister {
            stored: Arc::new(Mutex::new(self.lock().clone())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Stored> {
        // A panic while holding this lock cannot leave `Stored` half-written (every write
        // is one assignment), so a poisoned lock still holds consistent data.
        self.stored.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Persister for MemPersister {
    fn read_raft_state(&self) -> Vec<u8> {
        self.lock().raft_state.to_vec()
    }

    fn read_snapshot(&self) -> Vec<u8> {
        self.lock().snapshot.to_vec()
    }

    fn save(&self, raft_state: Vec<u8>, snapshot: Arc<[u8]>) {
        let mut stored = self.lock();
        stored.raft_state = RaftState::Whole(raft_state);
        stored.snapshot = snapshot;
    }

    fn save_pieces(&self, raft_state: &[Arc<[u8]>], snapshot: Arc<[u8]>) {
        let len = raft_state.iter().map(|piece| piece.len()).sum();
        let mut stored = self.lock();
        stored.raft_state = RaftState::Pieces(raft_state.to_vec(), len);
        stored.snapshot = snapshot;
    }

    fn raft_state_size(&self) -> usize {
        self.lock().raft_state.len()
    }

    fn snapshot_size(&self) -> usize {
        self.lock().snapshot.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(b: &[u8]) -> Arc<[u8]> {
        Arc::from(b)
    }

    #[test]
    fn save_replaces_both_and_an_empty_snapshot_erases_it() {
        let p = MemPersister::new();
        p.save(vec![1], bytes(&[9, 9]));
        assert_eq!((p.raft_state_size(), p.snapshot_size()), (1, 2));
        p.save(vec![2, 2, 2], bytes(&[]));
        assert_eq!(p.read_raft_state(), vec![2, 2, 2]);
        assert_eq!(
            p.read_snapshot(),
            Vec::<u8>::new(),
            "the course's Save(state, nil)"
        );
        assert_eq!((p.raft_state_size(), p.snapshot_size()), (3, 0));
    }

    #[test]
    fn pieces_save_as_their_concatenation() {
        let p = MemPersister::new();
        p.save_pieces(&[bytes(&[1, 2]), bytes(&[]), bytes(&[3])], bytes(&[7]));
        assert_eq!(p.read_raft_state(), vec![1, 2, 3]);
        assert_eq!((p.raft_state_size(), p.snapshot_size()), (3, 1));
        // A persister that does not override `save_pieces` is given the concatenation.
        #[derive(Default)]
        struct SavesWhole(Mutex<Vec<u8>>);
        impl Persister for SavesWhole {
            fn read_raft_state(&self) -> Vec<u8> {
                self.0.lock().unwrap().clone()
            }
            fn read_snapshot(&self) -> Vec<u8> {
                Vec::new()
            }
            fn save(&self, raft_state: Vec<u8>, _: Arc<[u8]>) {
                *self.0.lock().unwrap() = raft_state;
            }
            fn raft_state_size(&self) -> usize {
                0
            }
            fn snapshot_size(&self) -> usize {
                0
            }
        }
        let whole = SavesWhole::default();
        whole.save_pieces(&[bytes(&[4]), bytes(&[5, 6])], bytes(&[]));
        assert_eq!(whole.read_raft_state(), vec![4, 5, 6]);
    }

    #[test]
    fn copy_is_independent_of_the_original() {
        let p = MemPersister::new();
        p.save(vec![1], bytes(&[1]));
        let after_crash = p.copy();
        // The killed instance keeps writing to its own persister...
        p.save(vec![2], bytes(&[2]));
        // ...which the restarted instance never sees.
        assert_eq!(after_crash.read_raft_state(), vec![1]);
        assert_eq!(after_crash.read_snapshot(), vec![1]);
        after_crash.save(vec![3], bytes(&[1]));
        assert_eq!(p.read_raft_state(), vec![2]);
    }

    #[test]
    fn clones_share_one_store() {
        let p = MemPersister::new();
        let handle: Arc<dyn Persister> = Arc::new(p.clone());
        handle.save(vec![4], bytes(&[]));
        assert_eq!(p.read_raft_state(), vec![4]);
    }
}
