//! `lab-stress`: runs a package's tests many times under distinct seeds, in parallel, and
//! reports what failed and how to replay it. `scripts/stress_test.sh` is its front door.
//!
//! This is a tool, not simulated code: it runs OS processes on OS threads and reads the
//! wall clock, so it allows the lints that keep simulated code deterministic.
#![allow(clippy::disallowed_methods)]

mod args;
mod discover;
use lab_stress::outcome;
mod report;
mod runner;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = args::parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("stress_test: {message}");
            ExitCode::from(2)
        }
    }
}

/// Returns whether every run passed.
fn run(args: &args::Args) -> Result<bool, String> {
    let tests = discover::tests(&args.package, &args.filters)?;
    if tests.is_empty() {
        return Err(format!(
            "no test of package {} matches {:?}",
            args.package, args.filters
        ));
    }
    if args.list {
        for test in &tests {
            println!(
                "{} {} {} {}",
                test.package,
                test.target_flag,
                test.name,
                test.exe.display()
            );
        }
        println!("{} test(s), {} run(s) each", tests.len(), args.runs);
        return Ok(true);
    }
    std::fs::create_dir_all(&args.out_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.out_dir.display()))?;
    let results = runner::run_all(args, &tests)?;
    let all_passed = report::finish(args, &tests, &results)?;
    Ok(all_passed)
}
