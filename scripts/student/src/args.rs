//! Command-line arguments of the student-workspace tool.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: scripts/student.sh DIR [--from LAB] [--force]

Writes a standalone Cargo workspace to DIR for doing the labs yourself: the harness, the
scripts, every tester and every course test as in this workspace, and for each lab from
LAB on a skeleton in place of the solution (labs before LAB keep the reference solution,
so starting at Lab 4 builds on a working Raft). DIR gets its own README.md (start there),
its own CI script, and a git repository with one commit, so your diff is yours.

  --from LAB   the first lab you write, 1 to 5 (default 1: the whole course);
               6 strips nothing
  --force      write into a DIR that is not empty: every file in it is replaced or
               removed (its target/ directory, the build cache, is kept)
  --no-git     do not create the git repository
  --list       print the files DIR would hold, and write nothing

Examples:
  scripts/student.sh ../my-labs
  scripts/student.sh ../my-kvraft --from 4";

pub struct Args {
    /// The workspace to copy from (this one).
    pub source: PathBuf,
    pub dir: PathBuf,
    pub from: u32,
    pub force: bool,
    pub git: bool,
    pub list: bool,
}

pub enum Parsed {
    Run(Args),
    Help,
}

pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut source = None;
    let mut dir = None;
    let mut from = 1;
    let (mut force, mut git, mut list) = (false, true, false);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--force" => force = true,
            "--no-git" => git = false,
            "--list" => list = true,
            "--from" => {
                let value = it.next().ok_or("--from needs a lab number, 1 to 6")?;
                from = match value.parse::<u32>() {
                    Ok(n @ 1..=6) => n,
                    _ => return Err(format!("--from: {value:?} is not a lab number, 1 to 6")),
                };
            }
            // Set by scripts/student.sh: where the reference workspace is.
            "--source" => {
                source = Some(PathBuf::from(
                    it.next().ok_or("--source needs a directory")?,
                ));
            }
            flag if flag.starts_with('-') && flag.len() > 1 => {
                return Err(format!("unknown option {flag}"));
            }
            _ if dir.is_some() => return Err(format!("unexpected argument {arg:?}")),
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let dir = dir.ok_or("no DIR given: where should the workspace go?")?;
    let source = match source {
        Some(s) => s,
        None => std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?,
    };
    Ok(Parsed::Run(Args {
        source,
        dir,
        from,
        force,
        git,
        list,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Parsed, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn bad_arguments_are_refused_with_a_message() {
        for (args, message) in [
            (&[][..], "no DIR"),
            (&["d", "--from"][..], "--from needs"),
            (&["d", "--from", "0"][..], "not a lab number"),
            (&["d", "--from", "7"][..], "not a lab number"),
            (&["d", "--from", "x"][..], "not a lab number"),
            (&["d", "e"][..], "unexpected argument"),
            (&["d", "--frm", "2"][..], "unknown option --frm"),
        ] {
            match parse_strs(args) {
                Err(e) => assert!(e.contains(message), "{args:?}: {e}"),
                Ok(_) => panic!("{args:?} accepted"),
            }
        }
    }

    #[test]
    fn defaults_strip_the_whole_course() {
        let Ok(Parsed::Run(a)) = parse_strs(&["../my-labs"]) else {
            panic!("refused")
        };
        assert_eq!((a.from, a.force, a.git, a.list), (1, false, true, false));
        assert_eq!(a.dir, PathBuf::from("../my-labs"));
    }
}
