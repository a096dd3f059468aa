//! What the four binaries share: argument parsing with clear messages, exit codes (2 for
//! bad usage, 1 for a failed run, never a panic trace), the course's default socket path,
//! and logs on stderr when `RUST_LOG` asks for them.

use std::fmt::Display;
use std::path::PathBuf;
use std::str::FromStr;

/// One binary's name and usage text.
pub struct Cli {
    /// The program name, prefixed to every message.
    pub prog: &'static str,
    /// The usage text, printed by `--help` and after a usage error.
    pub usage: &'static str,
}

/// One command-line argument: an option with its value, a flag, or a positional.
#[derive(Debug, PartialEq, Eq)]
pub enum Arg {
    /// `--name value` or `--name=value`, for a name in the caller's list of options
    /// that take a value.
    Option(String, String),
    /// `--name` alone.
    Flag(String),
    /// Anything else.
    Positional(String),
}

impl Cli {
    /// Splits the process's arguments; `--help` prints the usage and exits 0.
    pub fn args(&self, with_value: &[&str]) -> Vec<Arg> {
        self.parse(std::env::args().skip(1), with_value)
    }

    /// As [`Cli::args`], over any argument list.
    pub fn parse(&self, args: impl IntoIterator<Item = String>, with_value: &[&str]) -> Vec<Arg> {
        let mut out = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                println!("{}", self.usage);
                std::process::exit(0);
            }
            if !arg.starts_with("--") {
                out.push(Arg::Positional(arg));
                continue;
            }
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (arg.clone(), None),
            };
            if with_value.contains(&name.as_str()) {
                match inline.or_else(|| args.next()) {
                    Some(value) => out.push(Arg::Option(name, value)),
                    None => self.usage_error(format!("{name} needs a value")),
                }
            } else if inline.is_some() {
                self.usage_error(format!("{name} takes no value"));
            } else {
                out.push(Arg::Flag(name));
            }
        }
        out
    }

    /// Parses an option's value, or exits with a usage error that names the option.
    pub fn number<T: FromStr>(&self, option: &str, value: &str) -> T {
        value
            .parse()
            .unwrap_or_else(|_| self.usage_error(format!("{option} wants a number, not '{value}'")))
    }

    /// Bad arguments: the message and the usage on stderr, exit status 2.
    pub fn usage_error(&self, message: impl Display) -> ! {
        eprintln!("{}: {message}\n\n{}", self.prog, self.usage);
        std::process::exit(2)
    }

    /// A failed run: the message on stderr, exit status 1.
    pub fn fail(&self, message: impl Display) -> ! {
        eprintln!("{}: {message}", self.prog);
        std::process::exit(1)
    }

    /// A single-threaded Tokio runtime (a coordinator or worker has little to overlap).
    pub fn runtime(&self) -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| self.fail(format!("cannot start the runtime: {e}")))
    }
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
    fn options_flags_and_positionals() {
        let cli = Cli {
            prog: "t",
            usage: "",
        };
        let args = ["--nreduce", "3", "a", "--socket=/s", "--bench", "b"].map(String::from);
        assert_eq!(
            cli.parse(args, &["--nreduce", "--socket"]),
            [
                Arg::Option("--nreduce".into(), "3".into()),
                Arg::Positional("a".into()),
                Arg::Option("--socket".into(), "/s".into()),
                Arg::Flag("--bench".into()),
                Arg::Positional("b".into()),
            ]
        );
    }
}
