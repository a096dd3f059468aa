//! `lab-mutants`: the mutant suite. Each mutant is one classic mistake, written as exact
//! edits of the reference code (`<lab>/mutants.txt`); for each, this tool applies it to a
//! copy of the workspace, runs the lab's black-box tests (the course's, and the extra
//! `beyond_` tests) over N seeds through the stress runner, and reports which tests
//! killed it. A mutant that no test kills within N seeds is a blind spot of the tests.
//! `scripts/mutants.sh` is its front door.
//!
//! The copy is made by the student-workspace tool (`--from 6`, nothing stripped) and built
//! in a target directory of its own; each mutant's edits are undone before the next.
//! Every run also applies the lab file's `base` edits, which switch off the reference's
//! own internal assertions: a mutant must be caught by what the tests see through the
//! public API, as a student's mistake would be.
//!
//! A tool, not simulated code: it runs processes and writes files.
#![allow(clippy::disallowed_methods)]

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use lab_stress::catalogue::SUBLABS;
use lab_stress::mutants::{self, Edit, Mutant};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const LABS: [(&str, &str); 3] = [
    ("3", "lab3-raft"),
    ("4", "lab4-kvraft"),
    ("5", "lab5-shardkv"),
];

/// For each mutant of LAB (3, 4, 5; default all), a classic mistake written as edits of
/// the reference code in <lab>/mutants.txt: applies it to a copy of the workspace, runs
/// the lab's course tests and its extra (beyond_) tests N times each with their own
/// seeds, and prints which tests killed it. Exits 1 if a mutant survives.
#[derive(Parser)]
#[command(
    args_override_self = true,
    name = "lab-mutants",
    bin_name = "scripts/mutants.sh",
    version
)]
struct Cli {
    /// Labs with mutants: 3, 4, 5 [default: all]
    #[arg(value_name = "LAB", value_parser = ["3", "4", "5"])]
    labs: Vec<String>,
    /// Runs of each test per mutant (1 to 100000)
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    seeds: usize,
    /// Only these mutants (comma-separated ids)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    only: Vec<String>,
    /// Only K mutants, spread evenly over the list (CI's short form)
    #[arg(long, value_name = "K",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    sample: Option<usize>,
    /// Only check that every mutant still applies (each edit's text is found exactly
    /// once), and build and run nothing
    #[arg(long)]
    check: bool,
    /// Parallel runs, 1 to 1024 [default: the number of cores]
    #[arg(short, long, value_name = "JOBS",
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=1024))]
    jobs: Option<usize>,
    /// Where the workspace copy and its target directory go [default: target/mutants];
    /// CI shares the student-workspace check's, whose dependencies are built already
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
}

struct Args {
    labs: Vec<(&'static str, &'static str)>,
    seeds: usize,
    only: Vec<String>,
    sample: Option<usize>,
    check: bool,
    jobs: Option<usize>,
    /// No lab named: every lab that has a mutant file.
    all: bool,
    work: Option<PathBuf>,
}

fn parse<I, T>(args: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    let all = cli.labs.is_empty();
    let labs = LABS
        .iter()
        .filter(|(n, _)| all || cli.labs.iter().any(|l| l == n))
        .copied()
        .collect();
    Ok(Args {
        labs,
        seeds: cli.seeds,
        only: cli.only,
        sample: cli.sample,
        check: cli.check,
        jobs: cli.jobs,
        all,
        work: cli.work,
    })
}

fn run(
    program: &Path,
    args: &[&str],
    dir: &Path,
    target: &Path,
    quiet: bool,
) -> Result<bool, String> {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target);
    if quiet {
        command.stdout(Stdio::null()).stderr(Stdio::null());
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    Ok(status.success())
}

/// Applies `edits` to the copy; returns each edited file's original text, to restore.
fn apply(copy: &Path, edits: &[Edit]) -> Result<Vec<(PathBuf, String)>, String> {
    let mut originals: Vec<(PathBuf, String)> = Vec::new();
    for edit in edits {
        let path = copy.join(&edit.file);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", edit.file))?;
        if !originals.iter().any(|(p, _)| *p == path) {
            originals.push((path.clone(), text.clone()));
        }
        let edited = mutants::apply(&text, edit)?;
        std::fs::write(&path, edited).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(originals)
}

fn restore(originals: Vec<(PathBuf, String)>) -> Result<(), String> {
    for (path, text) in originals.into_iter().rev() {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// One mutant's result: per test, (runs, failures).
struct Outcome {
    tests: BTreeMap<String, (u64, u64)>,
    /// Per test, the failed runs that were still running at the wall-clock limit (a
    /// storm of messages in which virtual time barely moves; a livelock in Go).
    hung: BTreeMap<String, u64>,
}

/// Seeds of the first round of a mutant: enough to kill most mutants at once.
const FIRST_ROUND: usize = 3;

/// Runs `tests` against the mutant over `seeds` seeds from `base`, through the stress
/// runner.
#[allow(clippy::too_many_arguments)]
fn run_round(
    args: &Args,
    tools: &Path,
    copy: &Path,
    target: &Path,
    out: &Path,
    package: &str,
    tests: &[String],
    seeds: usize,
    base: u64,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let seeds = seeds.to_string();
    let base = base.to_string();
    let out_dir = out.display().to_string();
    let jobs = args.jobs.map(|j| j.to_string());
    // A run of the reference takes a tenth of a second (the slowest, the 50 µs polling of
    // beyond_vote_survives_an_immediate_crash_3c, about 2 s); a mutant that livelocks the
    // cluster (message storms, no progress in virtual time) is stopped after this long
    // and counts as failed. Five times the slowest, so that a slow machine or another
    // job on it does not kill a run of a mutant that is not hung.
    let mut stress_args: Vec<&str> = vec![
        "-o",
        &out_dir,
        "--timeout",
        "10",
        "--no-logs",
        "--seed",
        &base,
    ];
    if let Some(j) = &jobs {
        stress_args.extend(["-j", j]);
    }
    stress_args.extend([seeds.as_str(), package]);
    stress_args.extend(tests.iter().map(String::as_str));
    run(&tools.join("lab-stress"), &stress_args, copy, target, true)?;
    let summary = out.join("summary.json");
    let text =
        std::fs::read_to_string(&summary).map_err(|e| format!("{}: {e}", summary.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", summary.display()))?;
    for t in json["tests"].as_array().into_iter().flatten() {
        let entry = outcome
            .tests
            .entry(t["test"].as_str().unwrap_or_default().to_string())
            .or_default();
        entry.0 += t["runs"].as_u64().unwrap_or(0);
        entry.1 += t["failures"].as_u64().unwrap_or(0);
    }
    for f in json["failed_runs"].as_array().into_iter().flatten() {
        if f["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("timeout"))
        {
            let test = f["test"].as_str().unwrap_or_default().to_string();
            *outcome.hung.entry(test).or_default() += 1;
        }
    }
    Ok(())
}

/// Runs the mutant: a first round of a few seeds, then the rest of the seeds for what has
/// not killed it yet, so that both figures of the table are exact within N seeds: the
/// course tests go on unless they killed it, the extra tests only while nothing did (a
/// mutant is killed by the first failure; most die in the first round, and their hung
/// runs would cost the most).
#[allow(clippy::too_many_arguments)]
fn run_tests(
    args: &Args,
    tools: &Path,
    copy: &Path,
    target: &Path,
    out: &Path,
    package: &str,
    course: &[String],
    extra: &[String],
) -> Result<Outcome, String> {
    let mut outcome = Outcome {
        tests: BTreeMap::new(),
        hung: BTreeMap::new(),
    };
    let all: Vec<String> = course.iter().chain(extra).cloned().collect();
    let first = FIRST_ROUND.min(args.seeds);
    run_round(
        args,
        tools,
        copy,
        target,
        &out.join("1"),
        package,
        &all,
        first,
        1_000,
        &mut outcome,
    )?;
    let failed = |tests: &[String], outcome: &Outcome| {
        tests
            .iter()
            .any(|t| outcome.tests.get(t).is_some_and(|(_, f)| *f > 0))
    };
    let rest: Vec<String> = match (failed(course, &outcome), failed(extra, &outcome)) {
        (true, _) => Vec::new(),
        (false, true) => course.to_vec(),
        (false, false) => all,
    };
    if !rest.is_empty() && args.seeds > first {
        run_round(
            args,
            tools,
            copy,
            target,
            &out.join("2"),
            package,
            &rest,
            args.seeds - first,
            2_000,
            &mut outcome,
        )?;
    }
    Ok(outcome)
}

/// The lab's black-box tests: its course tests, and the extra ones (`beyond_...`).
fn black_box_tests(
    package: &str,
    copy: &Path,
    tools: &Path,
    target: &Path,
) -> Result<(Vec<String>, Vec<String>), String> {
    let course: Vec<String> = SUBLABS
        .iter()
        .filter(|s| s.package == package)
        .flat_map(|s| s.tests.iter().map(|t| t.to_string()))
        .collect();
    let out = Command::new(tools.join("lab-stress"))
        .args(["--list", "1", package, lab_stress::catalogue::EXTRA_PREFIX])
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot list the tests: {e}"))?;
    let extra = lab_stress::catalogue::extra_tests(&String::from_utf8_lossy(&out.stdout));
    Ok((course, extra))
}

fn select<'a>(args: &Args, all: &'a [Mutant]) -> Vec<&'a Mutant> {
    let mut chosen: Vec<&Mutant> = all
        .iter()
        .filter(|m| args.only.is_empty() || args.only.contains(&m.id))
        .collect();
    if let Some(k) = args.sample
        && k < chosen.len()
    {
        let n = chosen.len();
        chosen = (0..k).map(|i| chosen[i * n / k]).collect();
    }
    chosen
}

fn main() -> ExitCode {
    let args = parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    match suite(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("mutants: {message}");
            ExitCode::from(2)
        }
    }
}

fn suite(args: &Args) -> Result<bool, String> {
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    let tools = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .parent()
        .map(Path::to_path_buf)
        .ok_or("no tool directory")?;
    let mut files = Vec::new();
    for (lab, package) in &args.labs {
        let path = root.join(package).join("mutants.txt");
        if args.all && !path.exists() {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (base, list) = mutants::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push((*lab, *package, base, list));
    }
    // Every mutant must still apply to the reference as it is now, checked first and in
    // full, so a refactoring that moved the code a mutant edits is noticed at once.
    let mut stale = Vec::new();
    for (_, _, base, list) in &files {
        for m in std::iter::once(base).chain(list) {
            for edit in &m.edits {
                let text = std::fs::read_to_string(root.join(&edit.file)).unwrap_or_default();
                if let Err(e) = mutants::apply(&text, edit) {
                    stale.push(format!("{}: {e}", m.id));
                }
            }
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "mutants that no longer apply:\n  {}",
            stale.join("\n  ")
        ));
    }
    let count: usize = files.iter().map(|f| f.3.len()).sum();
    println!("mutants: all {count} mutants apply to the reference");
    if args.check {
        return Ok(true);
    }

    let work = root.join(
        args.work
            .clone()
            .unwrap_or_else(|| PathBuf::from("target/mutants")),
    );
    let copy = work.join("workspace");
    let target = work.join("target");
    std::fs::create_dir_all(&copy).map_err(|e| e.to_string())?;
    let copied = run(
        &tools.join("lab-student"),
        &[
            "--source",
            &root.display().to_string(),
            &copy.display().to_string(),
            "--from",
            "6",
            "--force",
            "--no-git",
        ],
        &root,
        &target,
        true,
    )?;
    if !copied {
        return Err("could not copy the workspace (lab-student failed)".into());
    }
    let mut rows = Vec::new();
    let mut all_killed = true;
    for (lab, package, base, list) in &files {
        let base_edits = apply(&copy, &base.edits)?;
        let (course, extra) = black_box_tests(package, &copy, &tools, &target)?;
        for m in select(args, list) {
            let start = std::time::Instant::now();
            let originals = apply(&copy, &m.edits)?;
            let built = run(
                Path::new("cargo"),
                &["build", "-q", "--tests", "-p", package],
                &copy,
                &target,
                true,
            )?;
            let outcome = if built {
                Some(run_tests(
                    args,
                    &tools,
                    &copy,
                    &target,
                    &work.join("runs").join(&m.id),
                    package,
                    &course,
                    &extra,
                )?)
            } else {
                None
            };
            restore(originals)?;
            let row = Row::new(
                lab,
                m,
                outcome.as_ref(),
                &course,
                &extra,
                start.elapsed().as_secs(),
            );
            println!("{}", row.line());
            all_killed &= row.killed() || row.equivalent.is_some() && row.built;
            rows.push(row);
        }
        restore(base_edits)?;
    }
    println!("\n{}", Row::header());
    for row in &rows {
        println!("{}", row.line());
    }
    let killed_by_course = rows.iter().filter(|r| r.course_failed > 0).count();
    let killed = rows.iter().filter(|r| r.killed()).count();
    let equivalent: Vec<&Row> = rows
        .iter()
        .filter(|r| r.built && !r.killed() && r.equivalent.is_some())
        .collect();
    let percent = |k: usize| (100 * k).checked_div(rows.len()).unwrap_or(0);
    println!(
        "\n{} mutants, {} seeds: the course tests kill {killed_by_course} ({}%), course and extra tests {killed} ({}%); {} equivalent",
        rows.len(),
        args.seeds,
        percent(killed_by_course),
        percent(killed),
        equivalent.len()
    );
    for row in equivalent {
        println!(
            "  {} is equivalent: {}",
            row.id,
            row.equivalent.as_deref().unwrap_or_default()
        );
    }
    for row in rows.iter().filter(|r| r.killed() && r.equivalent.is_some()) {
        println!(
            "  {} is marked equivalent but was killed: remove its `equivalent` line",
            row.id
        );
    }
    Ok(all_killed)
}

struct Row {
    lab: String,
    id: String,
    built: bool,
    course_failed: u64,
    course_runs: u64,
    extra_failed: u64,
    extra_runs: u64,
    killers: Vec<String>,
    secs: u64,
    equivalent: Option<String>,
}

impl Row {
    fn new(
        lab: &str,
        m: &Mutant,
        outcome: Option<&Outcome>,
        course: &[String],
        extra: &[String],
        secs: u64,
    ) -> Row {
        let mut row = Row {
            lab: lab.to_string(),
            id: m.id.clone(),
            built: outcome.is_some(),
            course_failed: 0,
            course_runs: 0,
            extra_failed: 0,
            extra_runs: 0,
            killers: Vec::new(),
            secs,
            equivalent: m.equivalent.clone(),
        };
        for (test, (runs, failed)) in outcome.map(|o| &o.tests).into_iter().flatten() {
            if course.contains(test) {
                row.course_runs += runs;
                row.course_failed += failed;
            } else if extra.contains(test) {
                row.extra_runs += runs;
                row.extra_failed += failed;
            }
            let hung = outcome.and_then(|o| o.hung.get(test)).copied().unwrap_or(0);
            match (*failed, hung) {
                (0, _) => {}
                (failed, 0) => row.killers.push(format!("{test} ({failed})")),
                (failed, hung) => row.killers.push(format!("{test} ({failed}, {hung} hung)")),
            }
        }
        row
    }

    fn killed(&self) -> bool {
        self.built && self.course_failed + self.extra_failed > 0
    }

    fn header() -> String {
        format!(
            "{:<3} {:<36} {:>14} {:>14} {:>5}  {:<8}  killed by (failed runs; hung: stopped at the wall-clock limit)",
            "lab", "mutant", "course failed", "extra failed", "secs", "verdict"
        )
    }

    fn line(&self) -> String {
        let verdict = match (self.built, self.killed(), &self.equivalent) {
            (false, _, _) => "NO BUILD",
            (true, true, _) => "killed",
            (true, false, Some(_)) => "equivalent",
            (true, false, None) => "SURVIVED",
        };
        format!(
            "{:<3} {:<36} {:>14} {:>14} {:>5}  {:<8}  {}",
            self.lab,
            self.id,
            format!("{}/{}", self.course_failed, self.course_runs),
            format!("{}/{}", self.extra_failed, self.extra_runs),
            self.secs,
            verdict,
            self.killers.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse_and_bad_ones_are_usage_errors() {
        let p = |a: &[&str]| parse(std::iter::once(&"mutants").chain(a));
        let a = p(&["--only", "a,b", "5", "3", "--sample", "2"]).expect("parses");
        assert_eq!(a.labs, [LABS[0], LABS[2]]);
        assert_eq!((a.only.len(), a.sample, a.all), (2, Some(2), false));
        assert!(p(&[]).expect("parses").all);
        // A flag given twice is the flag (the guides' check adds --check to commands
        // that may have it already).
        assert!(p(&["--check", "--check"]).expect("parses").check);
        for bad in [
            &["6"][..],
            &["--seeds", "0"],
            &["--seeds", "1e9"],
            &["-j", "100000"],
            &["--frobnicate"],
        ] {
            assert_eq!(p(bad).err().map(|e| e.exit_code()), Some(2), "{bad:?}");
        }
    }
}
