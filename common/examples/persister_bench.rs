//! Saves per second of the [`FilePersister`], synced and buffered: a benchmark, not a
//! test. Each save is what a Raft step saves: the whole Raft state, with the snapshot
//! replaced every `--snapshot-every` saves.
//!
//! `cargo run --release -p common --example persister_bench -- --help`

use clap::Parser;
use common::persister::{Durability, FilePersister};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(about = "Saves per second of the FilePersister, synced and buffered")]
struct Args {
    /// A directory for the files (emptied first, removed after).
    #[arg(long, default_value = "target/persister-bench")]
    dir: PathBuf,
    /// Saves per run.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    saves: u64,
    /// Bytes of Raft state per save (a snapshotting service keeps it near --max-raft-state).
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(0..=1 << 30))]
    state_bytes: u64,
    /// Bytes of each snapshot.
    #[arg(long, default_value_t = 65536, value_parser = clap::value_parser!(u64).range(0..=1 << 30))]
    snapshot_bytes: u64,
    /// A new snapshot every this many saves.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    snapshot_every: u64,
}

#[allow(clippy::disallowed_methods)] // a benchmark of the real disk reads the real clock
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

fn run(args: &Args, durability: Durability) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(&args.dir);
    let p = FilePersister::open(&args.dir, durability).map_err(|e| e.to_string())?;
    let state = vec![7u8; args.state_bytes as usize];
    let mut snapshot: Arc<[u8]> = Arc::from(vec![1u8; args.snapshot_bytes as usize]);
    let start = now();
    for i in 0..args.saves {
        if i % args.snapshot_every == 0 {
            snapshot = Arc::from(vec![
                (i / args.snapshot_every) as u8;
                args.snapshot_bytes as usize
            ]);
        }
        p.try_save_pieces(&[Arc::from(&state[..])], snapshot.clone())
            .map_err(|(path, e)| format!("{}: {e}", path.display()))?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:<9} {:>8} saves of {:>8} B state in {:>7.2} s: {:>9.0} saves/s, {:>7.3} ms per save",
        format!("{durability:?}"),
        args.saves,
        args.state_bytes,
        secs,
        args.saves as f64 / secs,
        secs * 1000.0 / args.saves as f64
    );
    drop(p);
    std::fs::remove_dir_all(&args.dir).map_err(|e| e.to_string())
}

fn main() {
    let args = Args::parse();
    for durability in [Durability::Synced, Durability::Buffered] {
        if let Err(e) = run(&args, durability) {
            eprintln!("persister_bench: {e}");
            std::process::exit(1);
        }
    }
}
