//! The end of a sweep: the per-test table, failures grouped by message with their seeds,
//! debug logs of failing seeds, replay commands, and `summary.json`.

use crate::args::Args;
use crate::discover::TestCase;
use crate::outcome;
use crate::runner::{self, RunResult};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How many failing seeds are re-run with debug logs (each log can be large); the rest
/// keep their plain output and replay command.
const MAX_DEBUG_RERUNS: usize = 20;

/// How many failing seeds of one group are listed on screen (all are in summary.json).
const SHOWN: usize = 10;

#[derive(Serialize)]
struct TestSummary {
    test: String,
    target: String,
    runs: usize,
    failures: usize,
    mean_wall_secs: f64,
    mean_virtual_secs: Option<f64>,
    mean_rpcs: Option<f64>,
    mean_bytes: Option<f64>,
}

#[derive(Serialize)]
struct FailureSummary {
    test: String,
    seed: u64,
    message: String,
    replay: String,
    output_file: String,
    debug_log: Option<String>,
}

#[derive(Serialize)]
struct Summary {
    package: String,
    runs: usize,
    failures: usize,
    base_seed: u64,
    realtime: bool,
    twice: bool,
    tests: Vec<TestSummary>,
    failed_runs: Vec<FailureSummary>,
}

fn replay(args: &Args, case: &TestCase, seed: u64) -> String {
    let realtime = if args.realtime { "LAB_REALTIME=1 " } else { "" };
    format!(
        "{realtime}LAB_SEED={seed} cargo test -p {} {} -- --exact {} --nocapture",
        args.package, case.target_flag, case.name
    )
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Prints the report and writes the files; returns whether every run passed.
pub fn finish(args: &Args, tests: &[TestCase], results: &[RunResult]) -> Result<bool, String> {
    let mut table = Vec::new();
    let width = tests.iter().map(|c| c.name.len()).max().unwrap_or(4).max(4);
    println!();
    println!(
        "{:<width$} {:>6} {:>6} {:>9} {:>10} {:>9} {:>10}",
        "test", "runs", "failed", "wall s", "virtual s", "RPCs", "bytes"
    );
    for (t, case) in tests.iter().enumerate() {
        let mine: Vec<&RunResult> = results.iter().filter(|r| r.test == t).collect();
        let failures = mine.iter().filter(|r| !r.passed).count();
        let wall = mean(mine.iter().map(|r| r.wall.as_secs_f64())).unwrap_or(0.0);
        let virt = mean(mine.iter().filter_map(|r| r.course).map(|c| c.virtual_secs));
        let rpcs = mean(mine.iter().filter_map(|r| r.course?.rpcs).map(|n| n as f64));
        let bytes = mean(
            mine.iter()
                .filter_map(|r| r.course?.bytes)
                .map(|n| n as f64),
        );
        let fmt = |x: Option<f64>, p: usize| x.map_or("-".to_string(), |x| format!("{x:.p$}"));
        println!(
            "{:<width$} {:>6} {:>6} {:>9.3} {:>10} {:>9} {:>10}",
            case.name,
            mine.len(),
            failures,
            wall,
            fmt(virt, 1),
            fmt(rpcs, 0),
            fmt(bytes, 0)
        );
        table.push(TestSummary {
            test: case.name.clone(),
            target: case.target_flag.clone(),
            runs: mine.len(),
            failures,
            mean_wall_secs: wall,
            mean_virtual_secs: virt,
            mean_rpcs: rpcs,
            mean_bytes: bytes,
        });
    }

    let mut failing: Vec<&RunResult> = results.iter().filter(|r| !r.passed).collect();
    failing.sort_by_key(|r| (r.test, r.seed));
    let mut failed_runs = Vec::new();
    let mut groups: BTreeMap<(usize, String), Vec<&RunResult>> = BTreeMap::new();
    for r in &failing {
        let message = r.failure.clone().unwrap_or_default();
        groups
            .entry((r.test, outcome::group_key(&message)))
            .or_default()
            .push(r);
    }
    if !groups.is_empty() {
        println!("\nfailures, grouped by message:");
    }
    let mut reruns = 0;
    for ((t, _), runs) in &groups {
        let case = &tests[*t];
        println!(
            "\n  {} x{}: {}",
            case.name,
            runs.len(),
            runs[0].failure.as_deref().unwrap_or("")
        );
        for r in runs {
            let stem = format!("{}-{}", case.name.replace("::", "."), r.seed);
            let output_file = args.out_dir.join(format!("{stem}.out"));
            let _ = std::fs::write(&output_file, &r.output);
            let debug_log = (!args.no_logs && reruns < MAX_DEBUG_RERUNS).then(|| {
                reruns += 1;
                debug_rerun(
                    args,
                    case,
                    r.seed,
                    args.out_dir.join(format!("{stem}.log.jsonl")),
                )
            });
            failed_runs.push(FailureSummary {
                test: case.name.clone(),
                seed: r.seed,
                message: r.failure.clone().unwrap_or_default(),
                replay: replay(args, case, r.seed),
                output_file: output_file.display().to_string(),
                debug_log: debug_log.flatten().map(|p| p.display().to_string()),
            });
        }
        for f in &failed_runs[failed_runs.len() - runs.len()..][..runs.len().min(SHOWN)] {
            println!("    {}", f.replay);
            if let Some(log) = &f.debug_log {
                println!("      debug log: scripts/lablog {log}");
            }
        }
        if runs.len() > SHOWN {
            println!("    (+{} more seeds in summary.json)", runs.len() - SHOWN);
        }
    }

    let failures = failing.len();
    let summary = Summary {
        package: args.package.clone(),
        runs: results.len(),
        failures,
        base_seed: args.base_seed,
        realtime: args.realtime,
        twice: args.twice,
        tests: table,
        failed_runs,
    };
    let path = args.out_dir.join("summary.json");
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "\n{} runs of {} test(s); seed base {}; summary in {}",
        results.len(),
        tests.len(),
        args.base_seed,
        path.display()
    );
    if failures > 0 {
        println!(
            "outputs and debug logs of failing runs are in {}",
            args.out_dir.display()
        );
    }
    // Last, in the plain form test-result readers recognise.
    println!(
        "stress: {} passed, {failures} failed",
        results.len() - failures
    );
    Ok(failures == 0)
}

/// Re-runs a failing seed with debug logs in JSON (`LAB_LOG_JSON=1`, for
/// `scripts/lablog`) and saves all it printed: the log lines and, as raw lines among
/// them, the test's own output and its failure.
fn debug_rerun(args: &Args, case: &TestCase, seed: u64, path: PathBuf) -> Option<PathBuf> {
    let mut env = runner::base_env(args);
    env.push(("RUST_LOG", "debug".to_string()));
    env.push(("LAB_LOG_JSON", "1".to_string()));
    let exit = runner::run_process(case, seed, &env, args.timeout, &args.out_dir).ok()?;
    std::fs::write(&path, exit.output).ok()?;
    Some(path)
}
