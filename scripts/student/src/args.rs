//! Command-line arguments of the student-workspace tool.

use crate::plan::{Edition, last_from};
use clap::Parser;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  scripts/student.sh ../my-labs
  scripts/student.sh ../my-kvraft --from 4
  scripts/student.sh ../my-labs-2026 --edition 2026";

/// Writes a standalone Cargo workspace to DIR for doing the labs yourself: the harness,
/// the scripts, every tester and every course test as in this workspace, and for each lab
/// from LAB on a skeleton in place of the solution (labs before LAB keep the reference
/// solution, so starting at Lab 4 builds on a working Raft). DIR gets its own README.md
/// (start there), its own CI script, and a git repository with one commit, so your diff
/// is yours.
#[derive(Parser)]
#[command(args_override_self = true, name = "lab-student", bin_name = "scripts/student.sh", version, after_help = EXAMPLES)]
struct Cli {
    /// Where the workspace goes
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The first lab you write, 1 to 5 (1: the whole course); 6 strips nothing (2024
    /// edition only)
    #[arg(long, value_name = "LAB", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=6))]
    from: u32,
    /// The course's edition: 2024, or 2026 (versioned Put and the lock, the rsm layer
    /// and kvraft1, shardkv1 with its controller library)
    #[arg(long, value_name = "YEAR", default_value = "2024", value_parser = Edition::parse)]
    edition: Edition,
    /// Write into a DIR that is not empty: every file in it is replaced or removed (its
    /// target/ directory, the build cache, is kept)
    #[arg(long)]
    force: bool,
    /// Do not create the git repository
    #[arg(long)]
    no_git: bool,
    /// Print the files DIR would hold, and write nothing
    #[arg(long)]
    list: bool,
    /// Where the reference workspace is (set by scripts/student.sh) [default: the
    /// current directory]
    #[arg(long, value_name = "DIR", hide = true)]
    source: Option<PathBuf>,
}

pub struct Args {
    /// The workspace to copy from (this one).
    pub source: PathBuf,
    pub dir: PathBuf,
    pub edition: Edition,
    pub from: u32,
    pub force: bool,
    pub git: bool,
    pub list: bool,
}

/// The arguments, or clap's error (its `exit()` prints it: `--help` and `--version` on
/// stdout with status 0, a usage error on stderr with status 2).
pub fn parse<I, T>(args: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    if cli.from > last_from(cli.edition) {
        return Err(clap::Error::raw(
            clap::error::ErrorKind::ValueValidation,
            format!(
                "invalid value '{}' for '--from <LAB>': the {} edition has Labs 1 to {}\n",
                cli.from,
                cli.edition.year(),
                last_from(cli.edition)
            ),
        ));
    }
    let source = match cli.source {
        Some(s) => s,
        None => std::env::current_dir().map_err(|e| {
            clap::Error::raw(
                clap::error::ErrorKind::Io,
                format!("no current directory: {e}\n"),
            )
        })?,
    };
    Ok(Args {
        source,
        dir: cli.dir,
        edition: cli.edition,
        from: cli.from,
        force: cli.force,
        git: !cli.no_git,
        list: cli.list,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Args, clap::Error> {
        parse(std::iter::once(&"student").chain(args))
    }

    #[test]
    fn bad_arguments_are_refused_with_a_message() {
        for (args, message) in [
            (&[][..], "<DIR>"),
            (&["d", "--from"][..], "a value is required for '--from"),
            (&["d", "--from", "0"][..], "0 is not in 1..=6"),
            (&["d", "--from", "7"][..], "7 is not in 1..=6"),
            (&["d", "--from", "x"][..], "invalid value 'x'"),
            (&["d", "e"][..], "unexpected argument 'e'"),
            (
                &["d", "--frm", "2"][..],
                "a similar argument exists: '--from'",
            ),
            (
                &["d", "--edition", "2026", "--from", "6"][..],
                "the 2026 edition has Labs 1 to 5",
            ),
            (&["d", "--edition", "2025"][..], "not an edition"),
        ] {
            match parse_strs(args) {
                Err(e) => {
                    assert_eq!(e.exit_code(), 2, "{args:?}");
                    let text = e.render().to_string();
                    assert!(text.contains(message), "{args:?}: {text}");
                }
                Ok(_) => panic!("{args:?} accepted"),
            }
        }
    }

    #[test]
    fn defaults_strip_the_whole_course() {
        let Ok(a) = parse_strs(&["../my-labs"]) else {
            panic!("refused")
        };
        assert_eq!((a.from, a.force, a.git, a.list), (1, false, true, false));
        assert_eq!(a.edition, Edition::Y2024);
        assert_eq!(a.dir, PathBuf::from("../my-labs"));
    }
}
