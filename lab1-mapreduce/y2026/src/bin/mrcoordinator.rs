//! `mrcoordinator-2026 sockname inputfiles...`: the 2026 course's coordinator command
//! line (10 reduce tasks, one map task per input; the inputs' names are passed to the
//! workers, never opened here).

use clap::Parser;
use lab1_mapreduce::cli::{self, init_logging};
use lab1_mapreduce::coordinator::{self, Config};
use std::path::PathBuf;
use std::time::Duration;

const PROG: &str = "mrcoordinator";

/// Runs one MapReduce job over the INPUT files (one map task each, 10 reduce tasks) for
/// the workers that connect to SOCKNAME; exits 1 s after the job is done.
#[derive(Parser)]
#[command(args_override_self = true, name = PROG, version)]
struct Args {
    /// Where to listen
    #[arg(value_name = "SOCKNAME")]
    sockname: PathBuf,
    /// The input files, as the workers name them
    #[arg(value_name = "INPUT", required = true)]
    files: Vec<String>,
}

fn main() {
    init_logging();
    let args = Args::parse();
    let config = Config {
        files: args.files,
        n_reduce: 10,
        socket: args.sockname,
        task_timeout: Duration::from_secs(10),
        linger: Duration::from_secs(1),
    };
    match cli::runtime(PROG).block_on(coordinator::run(config)) {
        Ok(summary) => println!("{PROG}: {summary}"),
        Err(e) => cli::fail(PROG, e),
    }
}
