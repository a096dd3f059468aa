//! `lab-bench`: the performance figures of the Raft and KV suites, per seed, so the next
//! change can be compared with this one. `scripts/bench.sh` is its front door.
//!
//! It builds the course's test binaries of Lab 3 (`raft_3a` .. `raft_3d`) and Lab 4
//! (`kvraft_4a`, `kvraft_4b`) in the chosen profile, then for each seed runs each binary
//! once, as `cargo test` would, timing the process; a suite's wall time is the sum over
//! its binaries. The RPC counts come from the course lines the tests print. Wall times are
//! benchmarks, not assertions: nothing here fails because a run was slow.
//!
//! A tool, not simulated code: it runs processes and reads the clock.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use clap::error::ErrorKind;
use clap::{ArgAction, CommandFactory, Parser};
use lab_stress::outcome::course_line;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// The suites measured: name and the test binaries that make it up.
const SUITES: [(&str, &[&str]); 2] = [
    ("raft", &["raft_3a", "raft_3b", "raft_3c", "raft_3d"]),
    ("kv", &["kvraft_4a", "kvraft_4b"]),
];

/// Runs the course's Raft suite (Lab 3) and KV suite (Lab 4) once per seed (S, S+1, ...),
/// each test binary as `cargo test` runs it, and prints per seed the wall time and RPC
/// count of each suite, then their medians, with the CPU time the test processes used
/// (steadier than wall time on a shared machine). Release builds unless --dev.
#[derive(Parser)]
#[command(
    args_override_self = true,
    name = "lab-bench",
    bin_name = "scripts/bench.sh",
    version
)]
struct Args {
    /// Build and run the dev profile instead of release
    #[arg(long = "dev", action = ArgAction::SetFalse)]
    release: bool,
    /// How many seeds (1 to 10000)
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    seeds: u64,
    /// The first seed
    #[arg(long, value_name = "S", default_value_t = 1)]
    base: u64,
    /// Also each test's virtual time and RPC count for the first seed (on one thread, so
    /// the lines do not interleave)
    #[arg(long)]
    per_test: bool,
    /// Test threads, 1 to 1024 [default: one per core]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
}

/// Builds the tests of both labs and returns the binaries by target name.
fn build(release: bool) -> Result<BTreeMap<String, PathBuf>, String> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["test", "-p", "lab3-raft", "-p", "lab4-kvraft", "--no-run"])
        .arg("--message-format=json")
        .stderr(Stdio::inherit());
    if release {
        cmd.arg("--release");
    }
    let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err("building the tests failed".into());
    }
    let mut found = BTreeMap::new();
    // Cargo's JSON messages: each built test binary is a `compiler-artifact` with an
    // `executable` and its target's `name`.
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let exe = msg["executable"].as_str();
        let name = msg["target"]["name"].as_str();
        if let (Some("compiler-artifact"), Some(exe), Some(name)) =
            (msg["reason"].as_str(), exe, name)
        {
            found.insert(name.to_string(), PathBuf::from(exe));
        }
    }
    Ok(found)
}

/// CPU time used by this process's finished children so far (user + system), from
/// `/proc/self/stat` (Linux; clock ticks of 10 ms), or `None` where it cannot be read.
/// Steadier than wall time on a shared machine.
fn children_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 16 and 17 of stat(5) (cutime, cstime); `after_name` starts at field 3.
    let ticks: f64 = fields.get(13)?.parse::<f64>().ok()? + fields.get(14)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// One test's figures from its course line.
struct TestFigures {
    name: String,
    virtual_secs: f64,
    rpcs: u64,
}

/// Runs one binary with one seed: its wall time and each test's figures.
fn run(
    exe: &PathBuf,
    seed: u64,
    threads: Option<u64>,
) -> Result<(f64, f64, Vec<TestFigures>), String> {
    let mut cmd = Command::new(exe);
    cmd.arg("--nocapture").env("LAB_SEED", seed.to_string());
    if let Some(t) = threads {
        cmd.arg(format!("--test-threads={t}"));
    }
    let cpu_before = children_cpu().unwrap_or(0.0);
    let start = Instant::now();
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = children_cpu().unwrap_or(0.0) - cpu_before;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{} failed with LAB_SEED={seed}:\n{text}{}",
            exe.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // On one thread, each test's output starts at its `test NAME ...` line; on more, the
    // lines interleave, and only the course lines themselves can be counted.
    let mut tests = Vec::new();
    for line in text.lines().filter(|l| l.contains("... Passed --")) {
        if let Some(figures) = course_line(line) {
            tests.push(TestFigures {
                name: String::new(),
                virtual_secs: figures.virtual_secs,
                rpcs: figures.rpcs.unwrap_or(0),
            });
        }
    }
    if threads == Some(1) {
        let names = text
            .lines()
            .filter_map(|l| l.strip_prefix("test "))
            .map(|l| l.split_whitespace().next().unwrap_or("?").to_string());
        for (t, name) in tests.iter_mut().zip(names) {
            t.name = name;
        }
    }
    Ok((wall, cpu, tests))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(end) = args.base.checked_add(args.seeds) else {
        Args::command()
            .error(
                ErrorKind::ValueValidation,
                "--base + --seeds is past the last seed",
            )
            .exit()
    };
    let binaries = match build(args.release) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let profile = if args.release { "release" } else { "dev" };
    let threads = args
        .threads
        .map_or("one test thread per core".to_string(), |t| {
            format!("{t} test threads")
        });
    println!(
        "profile {profile}, {} seeds from {}, {threads}",
        args.seeds, args.base
    );
    let mut walls: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut cpus: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut rpcs: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for seed in args.base..end {
        let mut line = format!("seed {seed}:");
        for (suite, names) in SUITES {
            let (mut wall, mut cpu, mut count) = (0.0, 0.0, 0);
            for name in names {
                let Some(exe) = binaries.get(*name) else {
                    eprintln!("no test binary {name}");
                    return ExitCode::FAILURE;
                };
                let threads = if args.per_test && seed == args.base {
                    Some(1)
                } else {
                    args.threads
                };
                let (w, c, tests) = match run(exe, seed, threads) {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("{e}");
                        return ExitCode::FAILURE;
                    }
                };
                wall += w;
                cpu += c;
                count += tests.iter().map(|t| t.rpcs).sum::<u64>();
                if args.per_test && seed == args.base {
                    for t in &tests {
                        println!(
                            "  {:<44} {:>6.1} s virtual {:>7} RPCs",
                            t.name, t.virtual_secs, t.rpcs
                        );
                    }
                }
            }
            line += &format!("  {suite} {wall:.3} s wall, {cpu:.2} s CPU, {count} RPCs;");
            walls.entry(suite).or_default().push(wall);
            cpus.entry(suite).or_default().push(cpu);
            rpcs.entry(suite).or_default().push(count as f64);
        }
        println!("{}", line.trim_end_matches(';'));
    }
    for (suite, _) in SUITES {
        println!(
            "median {suite}: {:.3} s wall, {:.2} s CPU per seed, {:.0} RPCs",
            median(walls[suite].clone()),
            median(cpus[suite].clone()),
            median(rpcs[suite].clone())
        );
    }
    ExitCode::SUCCESS
}
