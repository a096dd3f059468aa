use super::*;

/// A directory of its own for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("file-persister-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn bytes(b: &[u8]) -> Arc<[u8]> {
    Arc::from(b)
}

fn open(dir: &TempDir) -> Result<FilePersister, OpenError> {
    FilePersister::open(&dir.0, Durability::Synced)
}

#[test]
fn a_new_directory_is_a_new_peer_and_saves_survive_reopening() {
    let dir = TempDir::new("reopen");
    let p = open(&dir).unwrap();
    assert_eq!((p.read_raft_state(), p.read_snapshot()), (vec![], vec![]));
    p.save(b"state 1".to_vec(), bytes(b"snap 1"));
    p.save_pieces(
        &[bytes(b"state "), bytes(b""), bytes(b"2")],
        bytes(b"snap 1"),
    );
    assert_eq!(p.read_raft_state(), b"state 2");
    assert_eq!(
        (p.raft_state_size(), p.snapshot_size(), p.saves()),
        (7, 6, 2)
    );
    drop(p);
    let p = open(&dir).unwrap();
    assert_eq!(p.read_raft_state(), b"state 2");
    assert_eq!(p.read_snapshot(), b"snap 1");
    assert_eq!(p.saves(), 2);
    assert_eq!(dir.files(), ["LOCK", "raft-state", "snapshot-1"]);
}

#[test]
fn the_snapshot_file_is_written_only_when_the_snapshot_changes() {
    let dir = TempDir::new("generations");
    let p = open(&dir).unwrap();
    let snap = bytes(b"snap A");
    p.save(b"1".to_vec(), snap.clone());
    let written = fs::metadata(dir.path("snapshot-1"))
        .unwrap()
        .modified()
        .unwrap();
    p.save(b"2".to_vec(), snap.clone());
    p.save(b"3".to_vec(), bytes(b"snap A")); // equal bytes, another allocation
    assert_eq!(dir.files(), ["LOCK", "raft-state", "snapshot-1"]);
    let still = fs::metadata(dir.path("snapshot-1"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(written, still);
    p.save(b"4".to_vec(), bytes(b"snap B"));
    assert_eq!(dir.files(), ["LOCK", "raft-state", "snapshot-2"]);
    // The course's Save(state, nil): an empty snapshot erases the saved one.
    p.save(b"5".to_vec(), bytes(b""));
    assert_eq!(dir.files(), ["LOCK", "raft-state"]);
    drop(p);
    let p = open(&dir).unwrap();
    assert_eq!(
        (p.read_raft_state(), p.read_snapshot()),
        (b"5".to_vec(), vec![])
    );
}

#[test]
fn every_corruption_or_truncation_of_either_file_is_an_error_naming_it() {
    let dir = TempDir::new("damage");
    let p = open(&dir).unwrap();
    p.save(
        b"term 4 voted for 2, log".to_vec(),
        bytes(b"snapshot bytes"),
    );
    drop(p);
    for name in ["raft-state", "snapshot-1"] {
        let path = dir.path(name);
        let good = fs::read(&path).unwrap();
        let mut bad_files: Vec<Vec<u8>> = (0..good.len()).map(|at| good[..at].to_vec()).collect();
        for at in 0..good.len() {
            let mut flipped = good.clone();
            flipped[at] ^= 0x40;
            bad_files.push(flipped);
        }
        bad_files.push([&good[..], b"x"].concat());
        for bad in bad_files {
            fs::write(&path, &bad).unwrap();
            let e = open(&dir).expect_err("a damaged file opened");
            assert_eq!(e.path, path, "{e}");
            assert!(matches!(e.problem, Problem::Damaged(_)), "{e}");
            assert!(e.to_string().contains("refusing to start"), "{e}");
        }
        fs::write(&path, &good).unwrap();
        open(&dir).expect("the repaired file opens");
    }
}

#[test]
fn a_missing_file_is_an_error_not_an_empty_state() {
    let dir = TempDir::new("missing");
    let p = open(&dir).unwrap();
    p.save(b"state".to_vec(), bytes(b"snapshot"));
    drop(p);
    let snapshot = fs::read(dir.path("snapshot-1")).unwrap();
    fs::remove_file(dir.path("snapshot-1")).unwrap();
    let e = open(&dir).unwrap_err();
    assert!(matches!(e.problem, Problem::SnapshotMissing(1)), "{e}");
    fs::write(dir.path("snapshot-1"), &snapshot).unwrap();
    fs::remove_file(dir.path("raft-state")).unwrap();
    let e = open(&dir).unwrap_err();
    assert!(matches!(e.problem, Problem::StateMissing), "{e}");
    assert!(e.to_string().contains("refusing to start empty"), "{e}");
}

#[test]
fn another_snapshot_in_the_named_file_is_a_mismatch() {
    let dir = TempDir::new("mismatch");
    let p = open(&dir).unwrap();
    p.save(b"state".to_vec(), bytes(b"snapshot A"));
    drop(p);
    // A well-formed snapshot file of the right generation, with other contents.
    fs::write(
        dir.path("snapshot-1"),
        format::encode_snapshot(1, b"snapshot B"),
    )
    .unwrap();
    let e = open(&dir).unwrap_err();
    assert!(
        matches!(e.problem, Problem::Damaged(Damage::Mismatch { .. })),
        "{e}"
    );
}

#[test]
fn leftovers_of_a_save_cut_short_are_removed() {
    let dir = TempDir::new("leftovers");
    let p = open(&dir).unwrap();
    p.save(b"state".to_vec(), bytes(b"snapshot"));
    drop(p);
    // A crash after the new snapshot file and the temporary state, before the rename.
    fs::write(dir.path("snapshot-2"), b"half a snap").unwrap();
    fs::write(dir.path("raft-state.tmp"), b"half a state").unwrap();
    let p = open(&dir).unwrap();
    assert_eq!(
        (p.read_raft_state(), p.read_snapshot()),
        (b"state".to_vec(), b"snapshot".to_vec())
    );
    assert_eq!(dir.files(), ["LOCK", "raft-state", "snapshot-1"]);
    // A first save cut short: a new peer.
    let dir = TempDir::new("leftovers-new");
    fs::create_dir_all(&dir.0).unwrap();
    fs::write(dir.path("raft-state.tmp"), b"half a state").unwrap();
    let p = open(&dir).unwrap();
    assert_eq!(p.read_raft_state(), Vec::<u8>::new());
    assert_eq!(dir.files(), ["LOCK"]);
}

#[test]
fn one_process_at_a_time() {
    let dir = TempDir::new("lock");
    let p = open(&dir).unwrap();
    let e = open(&dir).unwrap_err();
    assert!(matches!(e.problem, Problem::InUse), "{e}");
    drop(p);
    open(&dir).expect("free again once the first is gone");
}

#[test]
fn a_failed_save_keeps_what_was_saved() {
    let dir = TempDir::new("failed-save");
    let p = open(&dir).unwrap();
    p.save(b"good".to_vec(), bytes(b""));
    // A directory where the temporary file goes: the write fails.
    fs::create_dir(dir.path("raft-state.tmp")).unwrap();
    let (path, _) = p
        .try_save_pieces(&[bytes(b"lost")], bytes(b""))
        .unwrap_err();
    assert_eq!(path, dir.path("raft-state.tmp"));
    assert_eq!(p.read_raft_state(), b"good");
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        p.save(b"lost".to_vec(), bytes(b""));
    }));
    assert!(panicked.is_err(), "a lost save must stop the peer");
    drop(p);
    fs::remove_dir(dir.path("raft-state.tmp")).unwrap();
    assert_eq!(open(&dir).unwrap().read_raft_state(), b"good");
}

#[test]
fn the_generation_after_the_largest_wraps_to_one() {
    assert_eq!(next_generation(0), 1);
    assert_eq!(next_generation(1), 2);
    assert_eq!(next_generation(u64::MAX - 1), u64::MAX);
    assert_eq!(next_generation(u64::MAX), 1);
}

#[test]
fn saves_from_a_multi_threaded_runtime() {
    let dir = TempDir::new("runtime");
    let p = Arc::new(open(&dir).unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let saver = p.clone();
    rt.block_on(async move {
        tokio::spawn(async move { saver.save(b"from a task".to_vec(), bytes(b"")) })
            .await
            .unwrap();
    });
    assert_eq!(p.read_raft_state(), b"from a task");
}
