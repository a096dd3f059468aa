//! What the binaries share beyond their clap argument structs: range-checked value
//! parsers, how a failed run ends (exit 1, a one-line message, never a panic trace), the
//! course's default socket path, and logs on stderr when `RUST_LOG` asks for them. Usage
//! errors are clap's: exit 2, its one format, the usage line after.

use std::fmt::Display;
use std::path::PathBuf;
use std::time::Duration;

/// The most reduce tasks a job may have: each map task writes one intermediate file per
/// reduce task, so beyond this the job is millions of files, not a word count.
pub const MAX_N_REDUCE: u32 = 10_000;

/// The longest task timeout, in seconds (a day): past it a stalled worker is never noticed.
pub const MAX_TASK_TIMEOUT_SECS: f64 = 86_400.0;

/// `--nreduce`: a whole number from 1 to [`MAX_N_REDUCE`].
pub fn n_reduce(value: &str) -> Result<usize, String> {
    let n: u64 = value
        .parse()
        .map_err(|_| format!("wants a whole number, not '{value}'"))?;
    if (1..=u64::from(MAX_N_REDUCE)).contains(&n) {
        Ok(n as usize)
    } else {
        Err(format!("must be between 1 and {MAX_N_REDUCE}, not {n}"))
    }
}

/// A number of seconds above 0 and at most [`MAX_TASK_TIMEOUT_SECS`] (fractions allowed).
pub fn seconds(value: &str) -> Result<Duration, String> {
    let secs: f64 = value
        .parse()
        .map_err(|_| format!("wants a number of seconds, not '{value}'"))?;
    if secs > 0.0 && secs <= MAX_TASK_TIMEOUT_SECS {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "must be a positive number of seconds, at most {MAX_TASK_TIMEOUT_SECS}, not {value}"
        ))
    }
}

/// An app's name, checked against [`APP_NAMES`](crate::app::APP_NAMES) while parsing.
pub fn app_name(value: &str) -> Result<String, crate::app::UnknownApp> {
    crate::app::by_name(value).map(|_| value.to_string())
}

/// A failed run (not bad usage): the message on stderr, exit status 1.
pub fn fail(prog: &str, message: impl Display) -> ! {
    eprintln!("{prog}: {message}");
    std::process::exit(1)
}

/// A single-threaded Tokio runtime (a coordinator or worker has little to overlap).
pub fn runtime(prog: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(prog, format!("cannot start the runtime: {e}")))
}

/// The course's socket, `/var/tmp/5840-mr-<uid>`: one per user, so two users' jobs on one
/// machine do not meet, but one user's jobs do (hence `--socket` for parallel runs).
pub fn default_socket() -> PathBuf {
    PathBuf::from(format!("/var/tmp/5840-mr-{}", nix::unistd::getuid()))
}

/// Logs on stderr, with wall-clock times, when `RUST_LOG` is set; silent otherwise.
pub fn init_logging() {
    if let Ok(filter) = std::env::var("RUST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_reduce_is_range_checked() {
        assert_eq!(n_reduce("10"), Ok(10));
        assert_eq!(n_reduce("10000"), Ok(10_000));
        for bad in ["0", "10001", "100000000000000", "1e14", "-1", "ten", ""] {
            assert!(n_reduce(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn seconds_are_positive_finite_and_bounded() {
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("86400"), Ok(Duration::from_secs(86_400)));
        for bad in ["0", "-1", "86401", "1e300", "inf", "NaN", "x"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
