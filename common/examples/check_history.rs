//! Re-checks a KV history saved by `LAB_HISTORY_DIR` (or written by another tool):
//! `cargo run -p common --example check_history -- <history.json> [--html <out.html>] [--seconds <s>]`
//!
//! Prints the verdict and, for an illegal history, the explanation; writes the picture to
//! `--html` (default: next to the history, `.html`). Exit status: 0 linearizable, 1 not
//! linearizable, 2 undecided or bad input.

use clap::Parser;
use common::linearizability::kv::from_json;
use common::linearizability::{Budget, CheckResult, check, explain::explain, html};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The longest search budget, in seconds (a day); the course's checks use 1.
const MAX_SECONDS: f64 = 86_400.0;

/// Re-checks a KV history for linearizability. Exit status: 0 linearizable, 1 not
/// linearizable, 2 undecided or bad input.
#[derive(Parser)]
#[command(args_override_self = true, name = "check_history", version)]
struct Args {
    /// The history, as `LAB_HISTORY_DIR` saves it
    #[arg(value_name = "HISTORY.JSON")]
    history: PathBuf,
    /// Where to write the picture of an illegal history [default: HISTORY.html]
    #[arg(long, value_name = "OUT.HTML")]
    html: Option<PathBuf>,
    /// The search budget, as the course's timeout (above 0, at most 86400)
    #[arg(long, value_name = "S", default_value = "1", value_parser = seconds)]
    seconds: Duration,
}

fn seconds(value: &str) -> Result<Duration, String> {
    match value.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= MAX_SECONDS => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!(
            "wants a number of seconds above 0 and at most {MAX_SECONDS}"
        )),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
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
    let budget = Budget::from_timeout(args.seconds);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_range_checked() {
        let parse = |s: &str| Args::try_parse_from(["check_history", "h.json", "--seconds", s]);
        assert_eq!(parse("0.5").unwrap().seconds, Duration::from_millis(500));
        // 1e300 made Duration::from_secs_f64 panic before the range check.
        for bad in ["0", "-1", "1e300", "inf", "NaN", "x"] {
            let err = parse(bad).err().expect(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn a_history_is_required_and_unknown_flags_refused() {
        for args in [
            &["check_history"][..],
            &["check_history", "h.json", "--bogus"],
        ] {
            assert_eq!(Args::try_parse_from(args).err().unwrap().exit_code(), 2);
        }
    }
}
