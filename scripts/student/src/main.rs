//! `lab-student`: writes a standalone Cargo workspace in which a student does the labs:
//! the harness (`common`), the scripts, every tester and every course test as they are
//! here, and for each lab from `--from` on the skeleton instead of the solution.
//! `scripts/student.sh` is its front door.
//!
//! What a stripped lab keeps and loses is not written here but in the lab's own
//! `student/manifest.txt`, beside its skeleton files ([`manifest`]); this tool only
//! computes the file set ([`plan`]) and writes it ([`write`]).
//!
//! This is a tool, not simulated code: it runs `git` and writes files.
#![allow(clippy::disallowed_methods)]

mod args;
mod manifest;
mod plan;
mod write;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = args::parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    if !args.list
        && let Err(message) = write::check_dir(&args.source, &args.dir, args.force)
    {
        eprintln!("student: {message}");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("student: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &args::Args) -> Result<(), String> {
    let files = plan::plan(&args.source, args.edition, args.from)?;
    if args.list {
        for path in files.keys() {
            println!("{path}");
        }
        println!("student: {} files; nothing written", files.len());
        return Ok(());
    }
    let summary = write::write(&args.dir, &files, args.git)?;
    let yours: Vec<&plan::Lab> = plan::labs(args.edition)
        .iter()
        .filter(|lab| lab.number >= args.from)
        .collect();
    println!(
        "student: wrote {} ({} files: {} written, {} unchanged, {} removed)",
        args.dir.display(),
        files.len(),
        summary.written,
        summary.unchanged,
        summary.removed
    );
    if yours.is_empty() {
        println!(
            "student: nothing stripped (--from {}): every lab is the reference solution",
            args.from
        );
    } else {
        let dirs: Vec<&str> = yours.iter().map(|lab| lab.dir).collect();
        println!("student: yours to write: {}", dirs.join(", "));
        println!(
            "student: next: cd {} && cat README.md && cargo test -p {}",
            args.dir.display(),
            yours[0].tests
        );
    }
    Ok(())
}
