//! `mrworker`: runs map and reduce tasks of the app it is given for the coordinator, in the
//! current directory, until the coordinator says the job is done.

use clap::Parser;
use lab1_mapreduce::cli::{self, default_socket, init_logging};
use lab1_mapreduce::{app, worker};
use std::path::PathBuf;
use std::sync::Arc;

const PROG: &str = "mrworker";

/// Asks the coordinator for tasks and runs them with APP. Exits 0 when the coordinator
/// says the job is done, 1 if the coordinator cannot be reached or goes away.
#[derive(Parser)]
#[command(args_override_self = true, name = PROG, version)]
struct Args {
    /// The coordinator's socket [default: /var/tmp/5840-mr-<uid>, as the course]
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// The app: wc, indexer, mtiming, rtiming, jobcount, early_exit, crash or nocrash
    #[arg(value_name = "APP", value_parser = cli::app_name)]
    app: String,
}

fn main() {
    init_logging();
    let args = Args::parse();
    let socket = args.socket.unwrap_or_else(default_socket);
    let app = app::by_name(&args.app).unwrap_or_else(|e| cli::fail(PROG, e));
    // The runtime is never dropped: dropping it would wait for a task the worker gave up
    // on (its coordinator gone) to finish on its blocking thread, and nobody wants that
    // result. `process::exit` ends the process without the wait.
    let runtime = cli::runtime(PROG);
    let result = runtime.block_on(worker::run(Arc::from(app), &socket));
    match result {
        Ok(tasks) => {
            tracing::info!(tasks, "job done");
            std::process::exit(0)
        }
        Err(e) => cli::fail(PROG, e),
    }
}
