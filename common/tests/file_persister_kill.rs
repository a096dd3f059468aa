//! A process killed with SIGKILL in the middle of its saves: the [`FilePersister`] it
//! leaves reopens to the last save the process finished or to the one it was making,
//! whole, never to garbage or to nothing.
//!
//! The test runs its own binary again as the child (the ignored test below, told what to
//! do by an environment variable). The child saves without pause, each save a state and
//! a snapshot that a save number determines, and prints each number once its save has
//! returned; the parent kills it after a random count, reads what it printed, reopens the
//! directory, checks, and starts the next child on the same directory, so recovery from a
//! kill is itself killed.

use common::persister::{Durability, FilePersister, Persister};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

const CHILD_DIR: &str = "FILE_PERSISTER_KILL_DIR";
const CHILD_SYNCED: &str = "FILE_PERSISTER_KILL_SYNCED";
const ROUNDS: u64 = 100;

/// The Raft state of save `n`: tens to hundreds of KB, so a kill often lands mid-write.
/// Cheap to make (a slice of one pattern, the number at both ends), so the child spends
/// its time saving.
fn state_for(n: u64) -> Vec<u8> {
    let len = 20_000 + (n as usize * 7_919) % 200_000;
    static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| (0..220_000).map(|i| (i % 251) as u8).collect());
    let mut state = pattern[..len].to_vec();
    state[..8].copy_from_slice(&n.to_le_bytes());
    state[len - 8..].copy_from_slice(&n.to_le_bytes());
    state
}

/// The snapshot saved with save `n`: it changes every 7 saves, as a snapshot changes
/// seldom.
fn snapshot_for(n: u64) -> Vec<u8> {
    let generation = n / 7;
    if generation == 0 {
        return Vec::new();
    }
    let len = 50_000 + (generation as usize * 104_729) % 300_000;
    let mut snapshot = vec![generation as u8; len];
    snapshot[..8].copy_from_slice(&generation.to_le_bytes());
    snapshot
}

#[test]
#[ignore = "the child process of killed_mid_save_reopens_to_the_last_save_or_the_one_in_flight"]
fn child_saves_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let durability = if std::env::var_os(CHILD_SYNCED).is_some() {
        Durability::Synced
    } else {
        Durability::Buffered
    };
    let p = FilePersister::open(&dir, durability).expect("the child opens the directory");
    let mut out = std::io::stdout().lock();
    let mut n = p.saves();
    let mut snapshot: Arc<[u8]> = Arc::from(snapshot_for(n));
    loop {
        n += 1;
        if n.is_multiple_of(7) {
            snapshot = Arc::from(snapshot_for(n));
        }
        p.save(state_for(n), snapshot.clone());
        writeln!(out, "saved {n}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn killed_mid_save_reopens_to_the_last_save_or_the_one_in_flight() {
    let dir = std::env::temp_dir().join(format!("file-persister-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let exe = std::env::current_exe().unwrap();
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let (mut in_flight, mut mid_write) = (0, 0);
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe);
        child
            .args([
                "--exact",
                "child_saves_until_killed",
                "--ignored",
                "--nocapture",
                "-q",
            ])
            .env(CHILD_DIR, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if round % 4 == 3 {
            child.env(CHILD_SYNCED, "1");
        }
        let mut child = child.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let wanted = rng.random_range(1..=25);
        let mut last = None;
        let mut seen = 0;
        while seen < wanted {
            let line = lines.next().expect("the child stopped early").unwrap();
            if let Some(n) = line.strip_prefix("saved ") {
                last = Some(n.parse::<u64>().unwrap());
                seen += 1;
            }
        }
        // A random moment of the saves that follow, not always just after a print.
        #[allow(clippy::disallowed_methods)] // real processes, not a simulated world
        std::thread::sleep(std::time::Duration::from_micros(rng.random_range(0..500)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // What the child printed before it died.
        for line in lines {
            if let Some(n) = line.unwrap().strip_prefix("saved ") {
                last = Some(n.parse::<u64>().unwrap());
            }
        }
        let last = last.unwrap();
        if dir.join("raft-state.tmp").exists() {
            mid_write += 1;
        }

        let p = FilePersister::open(&dir, Durability::Buffered)
            .unwrap_or_else(|e| panic!("round {round}: reopening after SIGKILL: {e}"));
        let n = p.saves();
        assert!(
            n == last || n == last + 1,
            "round {round}: reopened to save {n}; the child had finished save {last}"
        );
        in_flight += u64::from(n == last + 1);
        assert!(
            p.read_raft_state() == state_for(n),
            "round {round}: the state of save {n} differs"
        );
        assert!(
            p.read_snapshot() == snapshot_for(n),
            "round {round}: the snapshot of save {n} differs"
        );
    }
    println!(
        "{ROUNDS} kills: {mid_write} left a temporary state file (killed mid-write); \
         {in_flight} reopened to the save in flight, the rest to the last one finished"
    );
    assert!(
        mid_write > 0,
        "no kill of {ROUNDS} landed in the middle of a save: the test tested nothing"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
