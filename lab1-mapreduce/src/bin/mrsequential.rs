//! `mrsequential`: the reference. Runs the whole job in one process and writes one output
//! file, which a distributed run must match once both are sorted.

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use lab1_mapreduce::cli;
use lab1_mapreduce::{app, files, sequential};
use std::path::{Path, PathBuf};

const PROG: &str = "mrsequential";

/// Runs APP over the INPUT files in one process and writes one output file.
#[derive(Parser)]
#[command(args_override_self = true, name = PROG, version)]
struct Args {
    /// The output file
    #[arg(long, value_name = "FILE", default_value = "mr-out-0")]
    out: PathBuf,
    /// The app: wc, indexer, mtiming, rtiming, jobcount, early_exit, crash or nocrash
    #[arg(value_name = "APP", value_parser = cli::app_name)]
    app: String,
    /// The input files
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<String>,
}

fn main() {
    let args = Args::parse();
    let out = args.out.as_path();
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = out.file_name().and_then(|n| n.to_str()) else {
        Args::command()
            .error(
                ErrorKind::ValueValidation,
                "--out must name a file, in UTF-8",
            )
            .exit()
    };
    let app = app::by_name(&args.app).unwrap_or_else(|e| cli::fail(PROG, e));
    let text = sequential::run(&*app, &args.inputs).unwrap_or_else(|e| cli::fail(PROG, e));
    if let Err(e) = files::write_atomically(dir, name, text.as_bytes()) {
        cli::fail(PROG, format!("cannot write {}: {e}", out.display()));
    }
}
