//! `mrworker-2026 xxx.so sockname`: the 2026 course's worker command line.

use clap::Parser;
use lab1_mapreduce::cli::{self, init_logging};
use lab1_mapreduce::{app, worker};
use std::path::PathBuf;
use std::sync::Arc;

const PROG: &str = "mrworker";

/// Asks the coordinator at SOCKNAME for tasks and runs them with APP, in the current
/// directory. Exits 0 when the job is done, 1 once the coordinator cannot be reached.
#[derive(Parser)]
#[command(args_override_self = true, name = PROG, version)]
struct Args {
    /// The app: its plugin's file name (wc.so) or its name (wc)
    #[arg(value_name = "XXX.so")]
    app: String,
    /// The coordinator's socket
    #[arg(value_name = "SOCKNAME")]
    sockname: PathBuf,
}

fn main() {
    init_logging();
    let args = Args::parse();
    let name = lab1_mapreduce_2026::app_name(&args.app);
    let app = app::by_name(name).unwrap_or_else(|e| cli::fail(PROG, e));
    // As mrworker: the runtime is never dropped (see there).
    let runtime = cli::runtime(PROG);
    match runtime.block_on(worker::run(Arc::from(app), &args.sockname)) {
        Ok(tasks) => {
            tracing::info!(tasks, "job done");
            std::process::exit(0)
        }
        Err(e) => cli::fail(PROG, e),
    }
}
