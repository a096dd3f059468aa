//! Command-line arguments of the stress runner.

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use std::path::PathBuf;
use std::time::Duration;

/// The most runs of each test one sweep may ask for.
pub const MAX_RUNS: u64 = 1_000_000;
/// The most parallel workers.
pub const MAX_JOBS: u64 = 1024;
/// The longest timeout, in seconds (a day).
pub const MAX_TIMEOUT: u64 = 86_400;

const EXAMPLES: &str = "\
Examples:
  scripts/stress_test.sh 500 lab3-raft 3b
  scripts/stress_test.sh -j 4 --twice 50 common determinism
  scripts/stress_test.sh 200 common";

/// Runs each selected test of PACKAGE N times, each run with its own seed, on JOBS
/// parallel workers, and reports the failures with their seeds and replay commands.
#[derive(Parser)]
#[command(args_override_self = true, name = "lab-stress", bin_name = "scripts/stress_test.sh", version, after_help = EXAMPLES)]
struct Cli {
    /// Runs of each test (1 to 1000000; the job list is built up front)
    #[arg(value_name = "N", value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_RUNS))]
    runs: usize,
    /// The package: lab3-raft or lab3_raft, common, ...
    #[arg(value_name = "PACKAGE")]
    package: String,
    /// Substrings of test names, as cargo test filters (none: every test of the package)
    #[arg(value_name = "TEST")]
    filters: Vec<String>,
    /// Parallel runs, 1 to 1024 [default: the number of cores]
    #[arg(short, long, value_name = "JOBS",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_JOBS))]
    jobs: Option<usize>,
    /// Where logs of failing runs and summary.json go
    #[arg(
        short = 'o',
        long = "out",
        value_name = "DIR",
        default_value = "stress-out"
    )]
    out_dir: PathBuf,
    /// Wall-clock seconds before a run is killed as hung (1 to 86400)
    #[arg(long, value_name = "S", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT))]
    timeout: u64,
    /// Base of the seed sequence, to repeat a whole sweep [default: random]
    #[arg(long = "seed", value_name = "S")]
    base_seed: Option<u64>,
    /// Run with LAB_REALTIME=1 (real clock and threads; no determinism)
    #[arg(long)]
    realtime: bool,
    /// Run every seed twice and fail if the two traces differ
    #[arg(long)]
    twice: bool,
    /// Print the tests that would run, and run nothing (the docs check uses it)
    #[arg(long)]
    list: bool,
    /// Do not re-run failing seeds with debug logs (the mutant suite and the skeleton
    /// check expect failures by the hundred)
    #[arg(long)]
    no_logs: bool,
}

pub struct Args {
    pub runs: usize,
    pub package: String,
    pub filters: Vec<String>,
    pub jobs: usize,
    pub out_dir: PathBuf,
    pub timeout: Duration,
    pub base_seed: u64,
    pub realtime: bool,
    pub twice: bool,
    pub list: bool,
    pub no_logs: bool,
}

/// The arguments, or clap's error (its `exit()` prints it: `--help` and `--version` on
/// stdout with status 0, a usage error on stderr with status 2).
pub fn parse<I, T>(args: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    Ok(Args {
        runs: cli.runs,
        package: cli.package.replace('_', "-"),
        filters: cli.filters,
        jobs: cli
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        out_dir: cli.out_dir,
        timeout: Duration::from_secs(cli.timeout),
        base_seed: cli.base_seed.unwrap_or_else(random_seed),
        realtime: cli.realtime,
        twice: cli.twice,
        list: cli.list,
        no_logs: cli.no_logs,
    })
}

fn random_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id()) >> 1
}

/// The seed of run `i`: a fixed scramble of the base, so runs get well-spread seeds.
pub fn seed_of(base: u64, i: usize) -> u64 {
    let mut z = base.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) >> 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(args: &[&str]) -> Args {
        match parse(std::iter::once(&"stress").chain(args)) {
            Ok(a) => a,
            Err(e) => panic!("did not parse {args:?}: {e}"),
        }
    }

    #[test]
    fn plain_and_flagged_forms() {
        let a = parse_ok(&["500", "lab3_raft", "3b"]);
        assert_eq!((a.runs, a.package.as_str()), (500, "lab3-raft"));
        assert_eq!(a.filters, vec!["3b"]);
        let a = parse_ok(&[
            "-j",
            "4",
            "--twice",
            "-o",
            "x",
            "--timeout",
            "9",
            "10",
            "common",
        ]);
        assert_eq!((a.jobs, a.twice, a.timeout.as_secs()), (4, true, 9));
        assert!(a.filters.is_empty());
    }

    #[test]
    fn bad_arguments_are_errors() {
        for bad in [
            &["x", "common"][..],
            &["0", "common"],
            &["5"],
            &["-j"],
            &["-j", "two", "5", "common"],
            &["--frobnicate", "5", "common"],
            &["2000000000", "common"],
            &["-j", "100000", "5", "common"],
            &["--timeout", "1e300", "5", "common"],
            &["--timeout", "100000000", "5", "common"],
            &[],
        ] {
            let err = parse(std::iter::once(&"stress").chain(bad)).err();
            assert_eq!(err.map(|e| e.exit_code()), Some(2), "{bad:?}");
        }
    }

    #[test]
    fn seeds_are_distinct() {
        let seeds: std::collections::BTreeSet<_> = (0..10_000).map(|i| seed_of(7, i)).collect();
        assert_eq!(seeds.len(), 10_000);
    }
}
