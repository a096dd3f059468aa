//! `mrcoordinator`: hands out the map and reduce tasks of one job to workers, re-issues
//! those whose worker dies or stalls, and exits when the output is complete.

use clap::Parser;
use lab1_mapreduce::cli::{self, default_socket, init_logging};
use lab1_mapreduce::coordinator::{self, Config};
use std::path::PathBuf;
use std::time::Duration;

const PROG: &str = "mrcoordinator";

/// Runs one MapReduce job over the INPUT files (one map task each), for workers started
/// with `mrworker APP` in the same directory. Exits once every mr-out-* file is written.
#[derive(Parser)]
#[command(args_override_self = true, name = PROG, version)]
struct Args {
    /// Reduce tasks and output files (1 to 10000)
    #[arg(long = "nreduce", value_name = "N", default_value = "10", value_parser = cli::n_reduce)]
    n_reduce: usize,
    /// Where to listen [default: /var/tmp/5840-mr-<uid>, as the course]
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// Hand a task to another worker after this long (above 0, at most 86400)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = cli::seconds)]
    task_timeout: Duration,
    /// The input files, one map task each
    #[arg(value_name = "INPUT", required = true)]
    files: Vec<String>,
}

fn main() {
    init_logging();
    let args = Args::parse();
    let config = Config {
        files: args.files,
        n_reduce: args.n_reduce,
        socket: args.socket.unwrap_or_else(default_socket),
        task_timeout: args.task_timeout,
        linger: Duration::from_secs(1),
    };
    if let Err(e) = coordinator::check_inputs(&config.files) {
        cli::fail(PROG, e);
    }
    match cli::runtime(PROG).block_on(coordinator::run(config)) {
        Ok(summary) => println!("{PROG}: {summary}"),
        Err(e) => cli::fail(PROG, e),
    }
}
