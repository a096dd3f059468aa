//! `mrworker`: runs map and reduce tasks of the app it is given for the coordinator, in the
//! current directory, until the coordinator says the job is done.

use lab1_mapreduce::app;
use lab1_mapreduce::cli::{Arg, Cli, default_socket, init_logging};
use lab1_mapreduce::worker;
use std::sync::Arc;

const CLI: Cli = Cli {
    prog: "mrworker",
    usage: "usage: mrworker [--socket PATH] APP

Asks the coordinator for tasks and runs them with APP, one of:
  wc, indexer, mtiming, rtiming, jobcount, early_exit, crash, nocrash

  --socket PATH   the coordinator's socket (default /var/tmp/5840-mr-<uid>, as the course)

Exits 0 when the coordinator says the job is done, 1 if the coordinator cannot be
reached or goes away.",
};

fn main() {
    init_logging();
    let mut socket = default_socket();
    let mut app_name = None;
    for arg in CLI.args(&["--socket"]) {
        match arg {
            Arg::Option(_, value) => socket = value.into(),
            Arg::Flag(name) => CLI.usage_error(format!("unknown option {name}")),
            Arg::Positional(name) if app_name.is_none() => app_name = Some(name),
            Arg::Positional(extra) => CLI.usage_error(format!("unexpected argument '{extra}'")),
        }
    }
    let Some(app_name) = app_name else {
        CLI.usage_error("no app named")
    };
    let app = app::by_name(&app_name).unwrap_or_else(|e| CLI.usage_error(e));
    // The runtime is never dropped: dropping it would wait for a task the worker gave up
    // on (its coordinator gone) to finish on its blocking thread, and nobody wants that
    // result. `process::exit` ends the process without the wait.
    let runtime = CLI.runtime();
    let result = runtime.block_on(worker::run(Arc::from(app), &socket));
    match result {
        Ok(tasks) => {
            tracing::info!(tasks, "job done");
            std::process::exit(0)
        }
        Err(e) => CLI.fail(e),
    }
}
