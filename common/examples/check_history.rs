//! Re-checks a KV history saved by `LAB_HISTORY_DIR` (or written by another tool):
//! `cargo run -p common --example check_history -- <history.json> [--html <out.html>] [--seconds <s>]`
//!
//! Prints the verdict and, for an illegal history, the explanation; writes the picture to
//! `--html` (default: next to the history, `.html`). Exit status: 0 linearizable, 1 not
//! linearizable, 2 undecided or bad input.

use common::linearizability::kv::from_json;
use common::linearizability::{Budget, CheckResult, check, explain::explain, html};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: check_history <history.json> [--html <out.html>] [--seconds <budget, as the course's timeout>]";

struct Args {
    history: PathBuf,
    html: Option<PathBuf>,
    seconds: f64,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut history = None;
    let mut html = None;
    let mut seconds = 1.0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--html" => html = Some(PathBuf::from(args.next().ok_or("--html needs a path")?)),
            "--seconds" => {
                let s = args.next().ok_or("--seconds needs a number")?;
                seconds = s
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or(format!("--seconds: {s:?} is not a positive number"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            path if history.is_none() => history = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    Ok(Args {
        history: history.ok_or("no history file given")?,
        html,
        seconds,
    })
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(why) => {
            eprintln!("check_history: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&args.history) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("check_history: cannot read {}: {e}", args.history.display());
            return ExitCode::from(2);
        }
    };
    let (model, history) = match from_json(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("check_history: {}: {e}", args.history.display());
            return ExitCode::from(2);
        }
    };
    let budget = Budget::from_timeout(Duration::from_secs_f64(args.seconds));
    let verdict = match check(&model, &history, budget) {
        Ok(verdict) => verdict,
        Err(e) => {
            eprintln!("check_history: {}: {e}", args.history.display());
            return ExitCode::from(2);
        }
    };
    println!(
        "{}: {} operations, {} keys: {} ({} search steps)",
        args.history.display(),
        history.len(),
        verdict.partitions.len(),
        verdict.result,
        verdict.steps()
    );
    let text = explain(&model, &history, &verdict);
    if !text.is_empty() {
        println!("{text}");
    }
    if verdict.result == CheckResult::Illegal {
        let out = args
            .html
            .unwrap_or_else(|| args.history.with_extension("html"));
        let title = format!("History {}", args.history.display());
        match std::fs::write(&out, html::render(&model, &history, &verdict, &title)) {
            Ok(()) => println!("info: wrote history visualization to {}", out.display()),
            Err(e) => eprintln!("check_history: cannot write {}: {e}", out.display()),
        }
    }
    match verdict.result {
        CheckResult::Ok => ExitCode::SUCCESS,
        CheckResult::Illegal => ExitCode::from(1),
        CheckResult::Unknown => ExitCode::from(2),
    }
}
