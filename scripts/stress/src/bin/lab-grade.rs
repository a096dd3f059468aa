//! `lab-grade`: grades a lab or a sub-lab the way the course does: every course test of
//! it, many times, each run with its own seed, and a verdict per sub-lab (the course's bar:
//! it passes every time). `scripts/grade.sh` is its front door.
//!
//! It runs the stress runner (`lab-stress`, built beside it) once per package, then reads
//! the runner's `summary.json` and prints the scorecard. Which tests make up a sub-lab is
//! the course's catalogue, written out below, and checked against the tests the
//! workspace has: a test that went missing is an error, not a pass.
//!
//! A tool, not simulated code: it runs processes and reads files.
#![allow(clippy::disallowed_methods)]

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use lab_stress::catalogue::{Edition, SubLab};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

const EXAMPLES: &str = "\
Examples:
  scripts/grade.sh 2
  scripts/grade.sh 3a --runs 100
  scripts/grade.sh 4a --edition 2026";

/// Runs every course test of LAB (1 to 5) or SUBLAB (3a, 3b, 3c, 3d, 4a, 4b, 5a, 5b, 5ch
/// for Lab 5's challenges; in the 2026 edition 1 to 5, and 4a, 4b, 4c, 5a, 5b, 5c) N times, each run with its own seed, through the stress
/// runner, and prints a scorecard: per test, runs and failures; per sub-lab a verdict;
/// the failing seeds with their replay commands. With no LAB, every lab. Exits 1 if any
/// run failed.
#[derive(Parser)]
#[command(args_override_self = true, name = "lab-grade", bin_name = "scripts/grade.sh", version, after_help = EXAMPLES)]
struct Cli {
    /// The lab or sub-lab [default: every lab]
    #[arg(value_name = "LAB|SUBLAB")]
    selected: Option<String>,
    /// The course's edition whose tests run: 2024, or 2026 (in the crates beside the 2024
    /// ones)
    #[arg(long, value_name = "YEAR", default_value = "2024", value_parser = Edition::parse)]
    edition: Edition,
    /// Runs of each test (1 to 1000000)
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    runs: usize,
    /// Parallel runs, 1 to 1024 [default: the number of cores]
    #[arg(short, long, value_name = "JOBS",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=1024))]
    jobs: Option<usize>,
    /// Where the runs' logs and summaries go
    #[arg(short, long, value_name = "DIR", default_value = "stress-out/grade")]
    out: PathBuf,
    /// Print the tests that would run (checking each exists), and run nothing
    #[arg(long)]
    list: bool,
    /// The check of a skeleton (this workspace's CI): every run must fail, within SECS
    /// seconds (1 to 86400), with a todo!("Lab ...") message in its output
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(1..=86_400))]
    expect_todo: Option<u32>,
}

struct Args {
    selected: Vec<&'static SubLab>,
    runs: usize,
    jobs: Option<usize>,
    out: PathBuf,
    list: bool,
    /// With a time limit in seconds: expect every run to fail at a `todo!`.
    expect_todo: Option<f64>,
}

fn select(edition: Edition, what: &str) -> Result<Vec<&'static SubLab>, String> {
    let what = what.to_ascii_lowercase();
    let chosen: Vec<&SubLab> = edition
        .sublabs()
        .iter()
        .filter(|s| s.id == what || (what.len() == 1 && s.id.starts_with(&what)))
        .collect();
    if chosen.is_empty() {
        Err(match edition {
            Edition::Y2024 => format!(
                "{what:?} is not a lab or sub-lab (1, 2, 3, 3a-3d, 4, 4a, 4b, 5, 5a, 5b, 5ch)"
            ),
            Edition::Y2026 => format!(
                "{what:?} is not a lab or sub-lab of the 2026 edition (1, 2, 3, 3a-3d, 4, 4a-4c, 5, 5a-5c)"
            ),
        })
    } else {
        Ok(chosen)
    }
}

fn parse<I, T>(args: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    let selected = match &cli.selected {
        Some(what) => select(cli.edition, what).map_err(|e| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value for '[LAB|SUBLAB]': {e}\n"),
            )
        })?,
        None => cli.edition.sublabs().iter().collect(),
    };
    Ok(Args {
        selected,
        runs: cli.runs,
        jobs: cli.jobs,
        out: cli.out,
        list: cli.list,
        expect_todo: cli.expect_todo.map(f64::from),
    })
}

/// Per test of one package: (runs, failures, mean wall seconds); and the failed runs, as
/// the runner wrote them.
struct Outcome {
    tests: BTreeMap<String, (u64, u64, f64)>,
    failed_runs: Vec<Value>,
}

fn stress_runner() -> Result<PathBuf, String> {
    Ok(std::env::current_exe()
        .map_err(|e| format!("cannot find myself: {e}"))?
        .with_file_name("lab-stress"))
}

/// Checks, through the runner's `--list`, that every test of the catalogue exists.
fn list_package(package: &str, tests: &[&str]) -> Result<(), String> {
    let stress = stress_runner()?;
    let out = Command::new(&stress)
        .args(["--list", "1", package])
        .args(tests)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", stress.display()))?;
    let listed = String::from_utf8_lossy(&out.stdout);
    // Each line is `package --test target name executable`.
    let names: Vec<&str> = listed.lines().flat_map(str::split_whitespace).collect();
    for test in tests {
        if !names.contains(test) {
            return Err(format!(
                "package {package} has no test {test}, a course test of the catalogue"
            ));
        }
        println!("{package} {test}");
    }
    Ok(())
}

fn run_package(args: &Args, package: &str, tests: &[&str]) -> Result<Outcome, String> {
    let stress = stress_runner()?;
    let out = args.out.join(package);
    let mut command = Command::new(&stress);
    command.arg("-o").arg(&out);
    if args.expect_todo.is_some() {
        command.arg("--no-logs");
    }
    if let Some(j) = args.jobs {
        command.arg("-j").arg(j.to_string());
    }
    command.arg(args.runs.to_string()).arg(package).args(tests);
    // The runner prints its progress and its own table; its exit status only says
    // whether a run failed, which the summary says too.
    let status = command
        .status()
        .map_err(|e| format!("cannot run {}: {e}", stress.display()))?;
    let summary = out.join("summary.json");
    let text = std::fs::read_to_string(&summary).map_err(|e| {
        format!(
            "the stress runner ({status}) left no {}: {e}",
            summary.display()
        )
    })?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", summary.display()))?;
    let mut outcome = Outcome {
        tests: BTreeMap::new(),
        failed_runs: json["failed_runs"].as_array().cloned().unwrap_or_default(),
    };
    for t in json["tests"].as_array().into_iter().flatten() {
        let name = t["test"].as_str().unwrap_or_default().to_string();
        let runs = t["runs"].as_u64().unwrap_or(0);
        let failures = t["failures"].as_u64().unwrap_or(0);
        let wall = t["mean_wall_secs"].as_f64().unwrap_or(0.0);
        outcome.tests.insert(name, (runs, failures, wall));
    }
    for test in tests {
        if !outcome.tests.contains_key(*test) {
            return Err(format!(
                "package {package} has no test {test}, a course test of the catalogue: was it renamed or removed?"
            ));
        }
    }
    Ok(outcome)
}

/// The chance that `runs` runs all pass when each fails with probability `p`.
fn all_pass(p: f64, runs: usize) -> f64 {
    (1.0 - p).powi(runs as i32)
}

/// The extra tests of `package` (`beyond_...`, not the course's), by name.
fn extra_tests(package: &str) -> Result<Vec<String>, String> {
    let stress = stress_runner()?;
    let out = Command::new(&stress)
        .args(["--list", "1", package, lab_stress::catalogue::EXTRA_PREFIX])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", stress.display()))?;
    Ok(lab_stress::catalogue::extra_tests(
        &String::from_utf8_lossy(&out.stdout),
    ))
}

/// The extra tests of sub-lab `s`: those whose names end with its id (`_3c`).
fn extras_of<'a>(s: &SubLab, extras: &'a BTreeMap<&str, Vec<String>>) -> Vec<&'a str> {
    let suffix = format!("_{}", s.id);
    extras
        .get(s.package)
        .into_iter()
        .flatten()
        .filter(|t| t.ends_with(&suffix))
        .map(String::as_str)
        .collect()
}

fn grade(args: &Args) -> Result<bool, String> {
    let mut by_package: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &args.selected {
        by_package
            .entry(s.package)
            .or_default()
            .extend(s.tests.iter().copied());
    }
    // The tests beyond the course run too (not with --expect-todo: a skeleton's check is
    // about the course's tests), and get a verdict of their own.
    let mut extras: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    if args.expect_todo.is_none() && !args.list {
        for package in by_package.keys() {
            extras.insert(package, extra_tests(package)?);
        }
    }
    let selected_extras: Vec<(&str, Vec<&str>)> = args
        .selected
        .iter()
        .map(|s| (s.package, extras_of(s, &extras)))
        .collect();
    let mut by_package: BTreeMap<&str, Vec<&str>> = by_package;
    for (package, tests) in &selected_extras {
        by_package
            .entry(package)
            .or_default()
            .extend(tests.iter().copied());
    }
    if args.list {
        for (package, tests) in &by_package {
            list_package(package, tests)?;
        }
        return Ok(true);
    }
    let mut outcomes = BTreeMap::new();
    for (package, tests) in &by_package {
        outcomes.insert(*package, run_package(args, package, tests)?);
    }
    if let Some(limit) = args.expect_todo {
        return Ok(check_todo(args, &outcomes, limit));
    }
    println!(
        "\n==================== scorecard ({} runs of each test) ====================",
        args.runs
    );
    let mut all_passed = true;
    for s in &args.selected {
        let outcome = &outcomes[s.package];
        println!("\n{} ({})", s.title, s.id);
        let mut failed_tests = 0;
        for test in s.tests {
            let (runs, failures, _) = outcome.tests[*test];
            let mark = if failures == 0 { "ok" } else { "FAIL" };
            println!("  {test:<72} {runs:>4} runs {failures:>4} failed  {mark}");
            failed_tests += usize::from(failures > 0);
        }
        if failed_tests == 0 {
            println!("  verdict: PASS (every run of every test passed)");
        } else {
            all_passed = false;
            println!(
                "  verdict: FAIL ({failed_tests} of {} tests failed at least once)",
                s.tests.len()
            );
        }
        let beyond = extras_of(s, &extras);
        if !beyond.is_empty() {
            println!("  beyond the course (this workspace's extra tests, not the course's):");
            let mut failed_extra = Vec::new();
            for test in &beyond {
                let (runs, failures, _) = outcome.tests[*test];
                let mark = if failures == 0 { "ok" } else { "FAIL" };
                println!("    {test:<70} {runs:>4} runs {failures:>4} failed  {mark}");
                if failures > 0 {
                    failed_extra.push(*test);
                }
            }
            let course = if failed_tests == 0 {
                "passes the course"
            } else {
                "fails the course"
            };
            if failed_extra.is_empty() {
                println!("  beyond the course: PASS ({course}; every extra test passed too)");
            } else {
                all_passed = false;
                let caught: Vec<String> = failed_extra
                    .iter()
                    .map(|t| match lab_stress::catalogue::catches(t) {
                        Some(what) => format!("{what} ({t})"),
                        None => t.to_string(),
                    })
                    .collect();
                println!(
                    "  beyond the course: FAIL ({course}; fails {} extra test(s) that catch classic mistakes the course's tests miss: {})",
                    failed_extra.len(),
                    caught.join("; ")
                );
            }
        }
    }
    let failed: Vec<&Value> = outcomes.values().flat_map(|o| &o.failed_runs).collect();
    if !failed.is_empty() {
        println!("\nfailures, grouped by message:");
        let mut groups: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
        for f in &failed {
            let message = f["message"]
                .as_str()
                .unwrap_or("?")
                .lines()
                .next()
                .unwrap_or("?");
            groups.entry(message.to_string()).or_default().push(f);
        }
        for (message, runs) in groups {
            println!("\n  {} run(s): {message}", runs.len());
            for f in runs.iter().take(3) {
                println!("    {}", f["replay"].as_str().unwrap_or("?"));
            }
            if runs.len() > 3 {
                println!("    ... {} more in {}", runs.len() - 3, args.out.display());
            }
        }
    }
    println!(
        "\nThe course's bar is passing every time. How much {n} passing runs prove: a bug that \
         fails one run in 20 still passes all {n} with probability {:.0}%, one in 100 with {:.0}%. \
         Run --runs 100 (or scripts/stress_test.sh 500) before calling a sub-lab done.",
        100.0 * all_pass(0.05, args.runs),
        100.0 * all_pass(0.01, args.runs),
        n = args.runs,
    );
    Ok(all_passed)
}

/// The skeleton check: every run of every selected test failed, within `limit` seconds,
/// and printed a `todo!` message naming a lab ("not yet implemented: Lab 3A: ...").
/// A course test that passes against a skeleton asserts nothing.
fn check_todo(args: &Args, outcomes: &BTreeMap<&str, Outcome>, limit: f64) -> bool {
    let mut ok = true;
    for s in &args.selected {
        let outcome = &outcomes[s.package];
        for test in s.tests {
            let (runs, failures, wall) = outcome.tests[*test];
            let outputs: Vec<String> = outcome
                .failed_runs
                .iter()
                .filter(|f| f["test"] == *test)
                .filter_map(|f| std::fs::read_to_string(f["output_file"].as_str()?).ok())
                .collect();
            let named = outputs
                .iter()
                .filter(|o| o.contains("not yet implemented: Lab "))
                .count() as u64;
            let verdict = if failures < runs {
                "PASSED against the skeleton: it asserts nothing there"
            } else if named < runs {
                "failed without a todo!(\"Lab ...\") message"
            } else if wall > limit {
                "took too long to fail"
            } else {
                "ok"
            };
            ok &= verdict == "ok";
            let message = outputs
                .first()
                .and_then(|o| o.lines().find(|l| l.contains("not yet implemented")))
                .map_or(String::new(), |l| l.trim().chars().take(90).collect());
            println!("  {test:<60} {wall:>6.1} s  {verdict}  {message}");
        }
    }
    ok
}

fn main() -> ExitCode {
    let args = parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    match grade(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("grade: {message}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labs_and_sub_labs_select_their_tests() {
        let ids = |e: Edition, w: &str| {
            select(e, w)
                .expect(w)
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        };
        let y24 = Edition::Y2024;
        assert_eq!(ids(y24, "3"), ["3a", "3b", "3c", "3d"]);
        assert_eq!(ids(y24, "3B"), ["3b"]);
        assert_eq!(ids(y24, "5"), ["5a", "5b", "5ch"]);
        assert_eq!(ids(y24, "2"), ["2"]);
        assert!(select(y24, "6").is_err() && select(y24, "3e").is_err());
        assert!(select(y24, "4c").is_err());
        let y26 = Edition::Y2026;
        assert_eq!(ids(y26, "4"), ["4a", "4b", "4c"]);
        assert_eq!(ids(y26, "5"), ["5a", "5b", "5c"]);
        assert!(select(y26, "5ch").is_err());
    }

    #[test]
    fn the_catalogue_has_every_course_test_once() {
        for (edition, expected) in [
            (Edition::Y2024, 7 + 10 + 28 + 23 + 17),
            (Edition::Y2026, 7 + 4 + 6 + 28 + 8 + 22 + 23),
        ] {
            let sublabs = edition.sublabs();
            let total: usize = sublabs.iter().map(|s| s.tests.len()).sum();
            assert_eq!(total, expected);
            let mut names: Vec<(&str, &str)> = sublabs
                .iter()
                .flat_map(|s| s.tests.iter().map(|t| (s.package, *t)))
                .collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), total);
        }
    }

    #[test]
    fn bad_arguments_are_refused() {
        let p = |a: &[&str]| parse(std::iter::once(&"grade").chain(a));
        for bad in [
            &["--runs", "0"][..],
            &["--runs"],
            &["--runs", "2000000000"],
            &["3a", "3b"],
            &["6"],
            &["--fast"],
            &["--expect-todo", "1e300"],
            &["--edition", "2025"],
            &["5ch", "--edition", "2026"],
        ] {
            assert_eq!(p(bad).err().map(|e| e.exit_code()), Some(2), "{bad:?}");
        }
        let Ok(a) = p(&["4a", "--runs", "3"]) else {
            panic!("refused")
        };
        assert_eq!((a.selected.len(), a.runs), (1, 3));
        let Ok(a) = p(&["4", "--edition", "2026"]) else {
            panic!("refused")
        };
        assert_eq!(a.selected[0].package, "lab4-kvraft-2026");
    }
}
