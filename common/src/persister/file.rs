//! [`FilePersister`]: a peer's Raft state and snapshot in a directory, saved atomically
//! and durably, for the real cluster (the tests use [`super::MemPersister`]).
//!
//! Design: each save writes the whole Raft state to `raft-state.tmp`, syncs it, and
//! renames it over `raft-state`, then syncs the directory. The rename is the one commit
//! point, so a process killed at any instant leaves either the old state or the new one,
//! whole; recovery is reading one file. The snapshot, which is large and changes seldom,
//! lives in a file of its own, `snapshot-<generation>`, written (and synced) only when the
//! snapshot changes, before the state file that names it; the old one is removed after
//! the commit, and leftovers of a save cut short are removed at the next open. A save
//! costs one write of the Raft state, which the service keeps small by snapshotting
//! (`--max-raft-state`), and two syncs (the file, the directory's rename), once per Raft
//! step: Raft saves all of a step's changes in one call. An append-only log would write
//! less per save but needs compaction and a recovery scan; at the sizes a snapshotting
//! service keeps, the sync dominates either way (measured in the guide).
//!
//! Every file carries a format version and a CRC-32 (see [`format`](super::format)).
//! Opening a directory whose files are torn, corrupt, mismatched or missing is an error
//! naming the file and the damage, never an empty state: a Raft restarted empty can vote
//! twice in one term. An empty or new directory is a new peer. One process at a time may
//! use a directory (an exclusive lock on `LOCK`).
//!
//! A save that fails (a full disk, an I/O error) panics: the [`super::Persister`]
//! contract has no error, and a Raft that went on after a lost save could acknowledge what
//! a restart forgets. Fail-stop is what etcd and TiKV do too; the servers' binaries turn
//! the panic into an exit.

use super::format::{self, Damage, SnapshotRef, StateHeader};
use super::{Persister, RaftState, Stored};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

const STATE: &str = "raft-state";
const STATE_TMP: &str = "raft-state.tmp";
const SNAPSHOT_PREFIX: &str = "snapshot-";
const LOCK: &str = "LOCK";

/// Whether a save waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Each save is on the disk when it returns (fsync of the file and of the directory):
    /// survives a power loss. What a real cluster needs.
    Synced,
    /// Each save is atomic but left to the OS to write back: survives a killed process,
    /// not a power loss. For benchmarks and tests.
    Buffered,
}

/// Why a directory cannot be opened.
#[derive(Debug)]
pub struct OpenError {
    /// The file or directory at fault.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a persister's directory.
#[derive(Debug)]
pub enum Problem {
    /// The operating system refused an operation.
    Io(io::Error),
    /// Another process holds the directory.
    InUse,
    /// A file failed its checks.
    Damaged(Damage),
    /// The state file names a snapshot file that is not there.
    SnapshotMissing(u64),
    /// There are snapshot files but no state file: not a new peer, and not one to start
    /// empty.
    StateMissing,
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.problem {
            Problem::Io(e) => write!(f, "{path}: {e}"),
            Problem::InUse => write!(f, "{path}: in use by another process"),
            Problem::Damaged(damage) => write!(
                f,
                "{path}: {damage}; refusing to start from it (a Raft peer that forgets its \
                 state can vote twice in one term)"
            ),
            Problem::SnapshotMissing(generation) => write!(
                f,
                "{path}: the Raft state names snapshot generation {generation}, whose file is \
                 missing; refusing to start without it"
            ),
            Problem::StateMissing => write!(
                f,
                "{path}: holds snapshot files but no {STATE}; refusing to start empty (a Raft \
                 peer that forgets its state can vote twice in one term)"
            ),
        }
    }
}

impl std::error::Error for OpenError {}

/// A [`Persister`] on files in one directory; see the module documentation.
///
/// ```
/// use common::persister::{Durability, FilePersister, Persister};
/// use std::sync::Arc;
/// let dir = std::env::temp_dir().join(format!("file-persister-doc-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// let p = FilePersister::open(&dir, Durability::Buffered).unwrap();
/// p.save(b"term 3, voted for 1".to_vec(), Arc::from(&b"kv snapshot"[..]));
/// drop(p); // the process ends...
/// let p = FilePersister::open(&dir, Durability::Buffered).unwrap(); // ...and comes back
/// assert_eq!(p.read_raft_state(), b"term 3, voted for 1");
/// assert_eq!(p.read_snapshot(), b"kv snapshot");
/// # drop(p); std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub struct FilePersister {
    dir: PathBuf,
    durability: Durability,
    /// What the files hold, kept in memory for reads; the lock also orders the saves.
    inner: Mutex<Inner>,
    /// Held open for its exclusive lock.
    _lock: File,
}

struct Inner {
    stored: Stored,
    header: StateHeader,
}

impl fmt::Debug for FilePersister {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePersister")
            .field("dir", &self.dir)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OpenError + '_ {
    move |e| OpenError {
        path: path.to_path_buf(),
        problem: Problem::Io(e),
    }
}

fn snapshot_name(generation: u64) -> String {
    format!("{SNAPSHOT_PREFIX}{generation}")
}

/// The generation after `generation`: any other number than the current one would do,
/// and this one never overflows.
fn next_generation(generation: u64) -> u64 {
    generation % u64::MAX + 1
}

impl FilePersister {
    /// Opens (creating it if need be) the directory `dir`, reading what it holds.
    ///
    /// # Errors
    /// When the directory cannot be made or locked, or its files are damaged, mismatched
    /// or missing: see [`Problem`]. Never an empty state for a directory that held one.
    pub fn open(dir: impl AsRef<Path>, durability: Durability) -> Result<FilePersister, OpenError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let lock_path = dir.join(LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(&lock_path))?;
        lock.try_lock().map_err(|e| OpenError {
            path: dir.clone(),
            problem: match e {
                fs::TryLockError::WouldBlock => Problem::InUse,
                fs::TryLockError::Error(e) => Problem::Io(e),
            },
        })?;

        let mut snapshot_files = Vec::new();
        for entry in fs::read_dir(&dir).map_err(io_error(&dir))? {
            let entry = entry.map_err(io_error(&dir))?;
            let name = entry.file_name();
            if let Some(generation) = name
                .to_str()
                .and_then(|n| n.strip_prefix(SNAPSHOT_PREFIX))
                .and_then(|n| n.parse::<u64>().ok())
            {
                snapshot_files.push(generation);
            }
        }
        snapshot_files.sort_unstable();

        let state_path = dir.join(STATE);
        let (header, raft_state, snapshot) = match fs::read(&state_path) {
            Ok(file) => {
                let damaged = |damage| OpenError {
                    path: state_path.clone(),
                    problem: Problem::Damaged(damage),
                };
                let (header, state) = format::decode_state(&file).map_err(damaged)?;
                let snapshot = read_snapshot(&dir, &header.snapshot)?;
                (header, state.to_vec(), snapshot)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !snapshot_files.is_empty() {
                    return Err(OpenError {
                        path: state_path,
                        problem: Problem::StateMissing,
                    });
                }
                (StateHeader::default(), Vec::new(), Vec::new())
            }
            Err(e) => return Err(io_error(&state_path)(e)),
        };

        // What a save cut short left behind; the state file never names any of it.
        for generation in snapshot_files {
            if generation != header.snapshot.generation {
                let path = dir.join(snapshot_name(generation));
                fs::remove_file(&path).map_err(io_error(&path))?;
            }
        }
        let tmp = dir.join(STATE_TMP);
        match fs::remove_file(&tmp) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(&tmp)(e)),
            _ => {}
        }

        tracing::info!(
            dir = %dir.display(),
            saves = header.save,
            raft_state = raft_state.len(),
            snapshot = snapshot.len(),
            "persister opened"
        );
        Ok(FilePersister {
            dir,
            durability,
            inner: Mutex::new(Inner {
                stored: Stored {
                    raft_state: RaftState::Whole(raft_state),
                    snapshot: Arc::from(snapshot),
                },
                header,
            }),
            _lock: lock,
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many saves the directory has seen since it was new.
    pub fn saves(&self) -> u64 {
        self.lock().header.save
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic mid-save leaves `Inner` as it was before the save (it is updated only
        // once the save is on disk), so a poisoned lock still holds consistent data.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Saves, or says why it could not; [`Persister::save_pieces`] panics on the error.
    ///
    /// # Errors
    /// An I/O error, with the file it happened on. What was saved before is intact.
    pub fn try_save_pieces(
        &self,
        raft_state: &[Arc<[u8]>],
        snapshot: Arc<[u8]>,
    ) -> Result<(), (PathBuf, io::Error)> {
        let mut inner = self.lock();
        blocking(|| self.write(&mut inner, raft_state, snapshot))
    }

    fn write(
        &self,
        inner: &mut Inner,
        raft_state: &[Arc<[u8]>],
        snapshot: Arc<[u8]>,
    ) -> Result<(), (PathBuf, io::Error)> {
        let old = inner.header.snapshot;
        let unchanged = Arc::ptr_eq(&snapshot, &inner.stored.snapshot)
            || snapshot[..] == inner.stored.snapshot[..];
        let snapshot_ref = if unchanged {
            old
        } else if snapshot.is_empty() {
            SnapshotRef::default()
        } else {
            let generation = next_generation(old.generation);
            let path = self.dir.join(snapshot_name(generation));
            let head = format::snapshot_header(generation, snapshot.len());
            self.write_file(&path, &[&head, &snapshot])
                .and_then(|()| self.sync_dir())
                .map_err(|e| (path, e))?;
            SnapshotRef {
                generation,
                len: snapshot.len() as u64,
                crc: format::crc_of([&snapshot[..]]),
            }
        };
        let header = StateHeader {
            save: inner.header.save.saturating_add(1),
            snapshot: snapshot_ref,
        };
        let len = raft_state.iter().map(|piece| piece.len()).sum();
        let head = format::state_header(&header, len);
        let mut pieces: Vec<&[u8]> = Vec::with_capacity(raft_state.len() + 1);
        pieces.push(&head);
        pieces.extend(raft_state.iter().map(|piece| &piece[..]));
        let tmp = self.dir.join(STATE_TMP);
        let state = self.dir.join(STATE);
        self.write_file(&tmp, &pieces)
            .map_err(|e| (tmp.clone(), e))?;
        fs::rename(&tmp, &state).map_err(|e| (state.clone(), e))?;
        self.sync_dir().map_err(|e| (self.dir.clone(), e))?;

        if snapshot_ref.generation != old.generation && old.generation != 0 {
            // Not needed for correctness: the next open removes it if this fails.
            let path = self.dir.join(snapshot_name(old.generation));
            if let Err(e) = fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove an old snapshot");
            }
        }
        inner.header = header;
        inner.stored = Stored {
            raft_state: RaftState::Pieces(raft_state.to_vec(), len),
            snapshot,
        };
        Ok(())
    }

    /// Writes `pieces` and their CRC-32 to a new `path`, synced if durable.
    fn write_file(&self, path: &Path, pieces: &[&[u8]]) -> io::Result<()> {
        let file = File::create(path)?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        let mut crc = crc32fast::Hasher::new();
        for piece in pieces {
            crc.update(piece);
            out.write_all(piece)?;
        }
        out.write_all(&crc.finalize().to_le_bytes())?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        if self.durability == Durability::Synced {
            file.sync_data()?;
        }
        Ok(())
    }

    /// Makes the directory's entries (a rename, a new file) durable.
    fn sync_dir(&self) -> io::Result<()> {
        if self.durability == Durability::Synced {
            File::open(&self.dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// Reads and checks the snapshot file a state file names (none for generation 0).
fn read_snapshot(dir: &Path, named: &SnapshotRef) -> Result<Vec<u8>, OpenError> {
    if named.generation == 0 {
        return Ok(Vec::new());
    }
    let path = dir.join(snapshot_name(named.generation));
    let file = match fs::read(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(OpenError {
                path,
                problem: Problem::SnapshotMissing(named.generation),
            });
        }
        Err(e) => return Err(io_error(&path)(e)),
    };
    format::decode_snapshot(&file, named).map_err(|damage| OpenError {
        path,
        problem: Problem::Damaged(damage),
    })
}

/// Runs blocking file I/O from async code: on a multi-threaded Tokio runtime, tells it to
/// move this worker's other tasks elsewhere while the disk works.
fn blocking<T>(io: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(io)
        }
        _ => io(),
    }
}

impl Persister for FilePersister {
    fn read_raft_state(&self) -> Vec<u8> {
        self.lock().stored.raft_state.to_vec()
    }

    fn read_snapshot(&self) -> Vec<u8> {
        self.lock().stored.snapshot.to_vec()
    }

    fn save(&self, raft_state: Vec<u8>, snapshot: Arc<[u8]>) {
        self.save_pieces(&[Arc::from(raft_state)], snapshot);
    }

    fn save_pieces(&self, raft_state: &[Arc<[u8]>], snapshot: Arc<[u8]>) {
        if let Err((path, e)) = self.try_save_pieces(raft_state, snapshot) {
            tracing::error!(path = %path.display(), error = %e, "cannot save the Raft state");
            panic!(
                "FilePersister: cannot save to {}: {e}; stopping, since a Raft peer that \
                 goes on after a lost save can acknowledge what a restart forgets",
                path.display()
            );
        }
    }

    fn raft_state_size(&self) -> usize {
        self.lock().stored.raft_state.len()
    }

    fn snapshot_size(&self) -> usize {
        self.lock().stored.snapshot.len()
    }
}

#[cfg(test)]
mod tests;
