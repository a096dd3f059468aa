//! Command-line arguments of the stress runner.

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
usage: scripts/stress_test.sh [-j JOBS] [-o DIR] [--timeout S] [--seed S] [--realtime] [--twice]
                              [--list] N PACKAGE [TEST...]

Runs each selected test of PACKAGE N times, each run with its own seed, on JOBS parallel
workers (default: the number of cores). TEST filters by substring, as cargo test does
(none: every test of the package). PACKAGE may be written lab3-raft or lab3_raft.

  -j, --jobs JOBS   parallel runs (default: number of cores)
  -o, --out DIR     where logs of failing runs and summary.json go (default: stress-out)
  --timeout S       wall-clock seconds before a run is killed as hung (default: 300)
  --seed S          base of the seed sequence, to repeat a whole sweep (default: random)
  --realtime        run with LAB_REALTIME=1 (real clock and threads; no determinism)
  --twice           run every seed twice and fail if the two traces differ
  --list            print the tests that would run, and run nothing (the docs check uses it)
  --no-logs         do not re-run failing seeds with debug logs (the mutant suite and the
                    skeleton check expect failures by the hundred)

Examples:
  scripts/stress_test.sh 500 lab3-raft 3b
  scripts/stress_test.sh -j 4 --twice 50 common determinism
  scripts/stress_test.sh 200 common";

/// The most runs of each test one sweep may ask for.
pub const MAX_RUNS: usize = 1_000_000;
/// The most parallel workers.
pub const MAX_JOBS: usize = 1024;
/// The longest timeout, in seconds (a day).
pub const MAX_TIMEOUT: u64 = 86_400;

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

pub enum Parsed {
    Run(Args),
    Help,
}

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut out_dir = PathBuf::from("stress-out");
    let mut timeout = 300u64;
    let mut base_seed = None;
    let (mut realtime, mut twice, mut list, mut no_logs) = (false, false, false, false);
    let mut positional = Vec::new();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-j" | "--jobs" => jobs = number(&arg, it.next())?,
            "-o" | "--out" => out_dir = it.next().ok_or("-o needs a directory")?.into(),
            "--timeout" => timeout = number(&arg, it.next())?,
            "--seed" => base_seed = Some(number(&arg, it.next())?),
            "--realtime" => realtime = true,
            "--twice" => twice = true,
            "--list" => list = true,
            "--no-logs" => no_logs = true,
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            _ => positional.push(arg),
        }
    }
    let mut positional = positional.into_iter();
    let runs: usize = number("N", positional.next())?;
    // The job list is built up front, so N is bounded: a million runs of a hundred tests
    // is already days of work and a few hundred MB of jobs.
    if !(1..=MAX_RUNS).contains(&runs) {
        return Err(format!("N must be between 1 and {MAX_RUNS}, not {runs}"));
    }
    if !(1..=MAX_JOBS).contains(&jobs) {
        return Err(format!("JOBS must be between 1 and {MAX_JOBS}, not {jobs}"));
    }
    if !(1..=MAX_TIMEOUT).contains(&timeout) {
        return Err(format!(
            "--timeout must be between 1 and {MAX_TIMEOUT} seconds, not {timeout}"
        ));
    }
    let package = positional
        .next()
        .ok_or("missing PACKAGE (e.g. lab3-raft)")?
        .replace('_', "-");
    Ok(Parsed::Run(Args {
        runs,
        package,
        filters: positional.collect(),
        jobs,
        out_dir,
        timeout: Duration::from_secs(timeout),
        base_seed: base_seed.unwrap_or_else(random_seed),
        realtime,
        twice,
        list,
        no_logs,
    }))
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
        match parse(args.iter().map(|s| s.to_string())) {
            Ok(Parsed::Run(a)) => a,
            _ => panic!("did not parse {args:?}"),
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
            assert!(parse(bad.iter().map(|s| s.to_string())).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn seeds_are_distinct() {
        let seeds: std::collections::BTreeSet<_> = (0..10_000).map(|i| seed_of(7, i)).collect();
        assert_eq!(seeds.len(), 10_000);
    }
}
