//! `mrdemo`: word count over the generated corpus, with real coordinator and worker
//! processes, checked against `mrsequential`; then the same job with a worker killed
//! midway, and with a worker frozen midway, to show both recovery rules at work.
//! `mrdemo --bench` times 2 workers against `mrsequential` instead.

#![allow(clippy::disallowed_methods)] // real processes on the real clock, not the simulator

use clap::Parser;
use lab1_mapreduce::cli;
use lab1_mapreduce::clock::{self, Instant};
use lab1_mapreduce::{corpus, files};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PROG: &str = "mrdemo";

/// Runs word count over the generated corpus with mrcoordinator and 3 mrworker
/// processes, checks the output against mrsequential, and prints the top words and the
/// times; then runs it again with one worker killed midway and with one worker frozen
/// midway.
#[derive(Parser)]
#[command(args_override_self = true, name = PROG, version)]
struct Args {
    /// Instead, time mrsequential against a coordinator with 2 workers
    #[arg(long)]
    bench: bool,
    /// Rounds for --bench; the medians are reported
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    rounds: u32,
}

fn fail(message: impl std::fmt::Display) -> ! {
    cli::fail(PROG, message)
}

/// The demo's scratch directory, removed however the demo ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Where the other binaries are: next to this one.
fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| fail(format!("cannot find myself: {e}")));
    let path = exe.with_file_name(name);
    if !path.exists() {
        fail(format!(
            "{} is missing: build the crate's binaries first (cargo build -p lab1-mapreduce)",
            path.display()
        ));
    }
    path
}

fn spawn(dir: &Path, exe: &str, args: &[&str]) -> Child {
    Command::new(sibling(exe))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| fail(format!("cannot start {exe}: {e}")))
}

fn inputs() -> Vec<&'static str> {
    corpus::BOOKS.iter().map(|b| b.file).collect()
}

/// The job's sorted output; then removes the job's files for the next run.
fn take_output(dir: &Path) -> Vec<String> {
    let lines =
        files::read_output(dir).unwrap_or_else(|e| fail(format!("cannot read the output: {e}")));
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with("mr-") {
            let _ = fs::remove_file(entry.path());
        }
    }
    lines
}

/// `mrsequential wc`: its sorted output and how long it took.
fn sequential(dir: &Path) -> (Vec<String>, Duration) {
    let start = clock::now();
    let mut args = vec!["wc"];
    args.extend(inputs());
    let status = spawn(dir, "mrsequential", &args).wait();
    if !status.is_ok_and(|s| s.success()) {
        fail("mrsequential failed");
    }
    (take_output(dir), start.elapsed())
}

/// What to do to one worker once some maps are done.
#[derive(Clone, Copy, PartialEq)]
enum Trouble {
    None,
    Kill,
    Freeze,
}

/// One distributed run: the coordinator, `workers` workers, and maybe trouble for the
/// first worker once three maps have finished. Returns the sorted output, the time from
/// starting the coordinator to every process having exited, and the coordinator's summary.
fn distributed(
    dir: &Path,
    workers: usize,
    trouble: Trouble,
    timeout: &str,
) -> (Vec<String>, Duration, String) {
    let socket = dir.join("demo.sock");
    let socket = socket.to_string_lossy();
    let start = clock::now();
    let mut args = vec!["--socket", &socket, "--task-timeout", timeout];
    args.extend(inputs());
    let coordinator = spawn(dir, "mrcoordinator", &args);
    while !dir.join("demo.sock").exists() {
        if start.elapsed() > Duration::from_secs(10) {
            fail("the coordinator never started listening");
        }
        clock::sleep_blocking(Duration::from_millis(2));
    }
    let mut children: Vec<Child> = (0..workers)
        .map(|_| spawn(dir, "mrworker", &["--socket", &socket, "wc"]))
        .collect();
    if trouble != Trouble::None {
        let maps_done = || {
            (0..8)
                .filter(|m| dir.join(format!("mr-{m}-9")).exists())
                .count()
        };
        while maps_done() < 3 && start.elapsed() < Duration::from_secs(30) {
            clock::sleep_blocking(Duration::from_millis(1));
        }
        let pid = Pid::from_raw(children[0].id() as i32);
        let (signal, verb) = match trouble {
            Trouble::Kill => (Signal::SIGKILL, "killed (SIGKILL)"),
            _ => (Signal::SIGSTOP, "frozen (SIGSTOP)"),
        };
        let _ = kill(pid, signal);
        println!(
            "  worker pid {pid} {verb} at {:.2} s, with {} of 8 maps done",
            start.elapsed().as_secs_f64(),
            maps_done()
        );
    }
    let output = coordinator
        .wait_with_output()
        .unwrap_or_else(|e| fail(format!("cannot wait for the coordinator: {e}")));
    if trouble == Trouble::Freeze {
        let _ = kill(Pid::from_raw(children[0].id() as i32), Signal::SIGKILL);
    }
    for child in &mut children {
        let _ = child.wait();
    }
    let elapsed = start.elapsed();
    let summary = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (take_output(dir), elapsed, summary)
}

fn verdict(output: &[String], reference: &[String]) -> &'static str {
    if output == reference {
        "output identical to mrsequential's"
    } else {
        fail("the output differs from mrsequential's")
    }
}

fn top_words(reference: &[String], n: usize) -> String {
    let mut counts: Vec<(u64, &str)> = reference
        .iter()
        .filter_map(|l| {
            let (word, count) = l.split_once(' ')?;
            Some((count.parse().ok()?, word))
        })
        .collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    counts
        .iter()
        .take(n)
        .map(|(c, w)| format!("{w} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let Args { bench, rounds } = Args::parse();
    let scratch =
        Scratch(std::env::temp_dir().join(format!("lab1-mr-demo-{}", std::process::id())));
    let dir = scratch.0.as_path();
    let _ = fs::remove_dir_all(dir);
    let started: Instant = clock::now();
    let books =
        corpus::write(dir).unwrap_or_else(|e| fail(format!("cannot write the corpus: {e}")));
    let bytes: u64 = books
        .iter()
        .filter_map(|p| fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "corpus: 8 generated books, {:.1} MB, written in {:.2} s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    if bench {
        let (mut seq, mut par) = (Vec::new(), Vec::new());
        for round in 1..=rounds {
            let (reference, t_seq) = sequential(dir);
            let (output, t_par, _) = distributed(dir, 2, Trouble::None, "10");
            verdict(&output, &reference);
            println!(
                "  round {round}: mrsequential {:.3} s, coordinator + 2 workers {:.3} s",
                t_seq.as_secs_f64(),
                t_par.as_secs_f64()
            );
            seq.push(t_seq);
            par.push(t_par);
        }
        let (seq, par) = (median(seq), median(par));
        println!(
            "median of {rounds}: mrsequential {:.3} s, coordinator + 2 workers {:.3} s ({:.2}x)",
            seq.as_secs_f64(),
            par.as_secs_f64(),
            seq.as_secs_f64() / par.as_secs_f64()
        );
        return;
    }

    let (reference, t_seq) = sequential(dir);
    println!(
        "mrsequential wc: {:.2} s, {} distinct words",
        t_seq.as_secs_f64(),
        reference.len()
    );
    println!("top words: {}", top_words(&reference, 10));

    let runs = [
        (
            "mrcoordinator and 3 mrworker processes",
            Trouble::None,
            "10",
        ),
        (
            "the same, one worker killed midway: its task is handed out again at once",
            Trouble::Kill,
            "10",
        ),
        (
            "the same, one worker frozen midway: its task is handed out again after the task timeout (2 s here, 10 s by default)",
            Trouble::Freeze,
            "2",
        ),
    ];
    for (title, trouble, timeout) in runs {
        println!("\n-- {title}");
        let (output, t, summary) = distributed(dir, 3, trouble, timeout);
        println!("  {summary}");
        println!(
            "  {:.2} s end to end; {}",
            t.as_secs_f64(),
            verdict(&output, &reference)
        );
    }
}
