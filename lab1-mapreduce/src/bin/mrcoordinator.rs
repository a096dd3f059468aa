//! `mrcoordinator`: hands out the map and reduce tasks of one job to workers, re-issues
//! those whose worker dies or stalls, and exits when the output is complete.

use lab1_mapreduce::cli::{Arg, Cli, default_socket, init_logging};
use lab1_mapreduce::coordinator::{self, Config};
use std::time::Duration;

const CLI: Cli = Cli {
    prog: "mrcoordinator",
    usage: "usage: mrcoordinator [--nreduce N] [--socket PATH] [--task-timeout SECONDS] INPUT...

Runs one MapReduce job over the INPUT files (one map task each), for workers started
with `mrworker APP` in the same directory. Exits once every mr-out-* file is written.

  --nreduce N               reduce tasks and output files (default 10)
  --socket PATH             where to listen (default /var/tmp/5840-mr-<uid>, as the course)
  --task-timeout SECONDS    hand a task to another worker after this long (default 10)",
};

fn main() {
    init_logging();
    let mut config = Config {
        files: Vec::new(),
        n_reduce: 10,
        socket: default_socket(),
        task_timeout: Duration::from_secs(10),
        linger: Duration::from_secs(1),
    };
    for arg in CLI.args(&["--nreduce", "--socket", "--task-timeout"]) {
        match arg {
            Arg::Option(name, value) if name == "--nreduce" => {
                config.n_reduce = CLI.number(&name, &value);
            }
            Arg::Option(name, value) if name == "--socket" => config.socket = value.into(),
            Arg::Option(name, value) => {
                let secs: f64 = CLI.number(&name, &value);
                config.task_timeout = Duration::try_from_secs_f64(secs)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .unwrap_or_else(|| {
                        CLI.usage_error("--task-timeout must be a positive number of seconds")
                    });
            }
            Arg::Flag(name) => CLI.usage_error(format!("unknown option {name}")),
            Arg::Positional(file) => config.files.push(file),
        }
    }
    if config.files.is_empty() {
        CLI.usage_error("no input files");
    }
    if config.n_reduce == 0 {
        CLI.usage_error("--nreduce must be at least 1");
    }
    if let Err(e) = coordinator::check_inputs(&config.files) {
        CLI.fail(e);
    }
    match CLI.runtime().block_on(coordinator::run(config)) {
        Ok(summary) => println!("mrcoordinator: {summary}"),
        Err(e) => CLI.fail(e),
    }
}
