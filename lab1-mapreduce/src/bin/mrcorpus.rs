//! `mrcorpus`: writes the eight generated input books, under the course's file names.

use lab1_mapreduce::cli::{Arg, Cli};
use lab1_mapreduce::corpus;
use std::path::PathBuf;

const CLI: Cli = Cli {
    prog: "mrcorpus",
    usage: "usage: mrcorpus [DIR]

Writes the eight input files (pg-being_ernest.txt ... pg-tom_sawyer.txt) into DIR
(default: the current directory). The files are the same bytes on every machine.",
};

fn main() {
    let mut dir = PathBuf::from(".");
    let mut seen = false;
    for arg in CLI.args(&[]) {
        match arg {
            Arg::Positional(p) if !seen => {
                dir = p.into();
                seen = true;
            }
            Arg::Positional(p) => CLI.usage_error(format!("unexpected argument '{p}'")),
            Arg::Option(name, _) | Arg::Flag(name) => {
                CLI.usage_error(format!("unknown option {name}"))
            }
        }
    }
    match corpus::write(&dir) {
        Ok(paths) => {
            for path in paths {
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                println!("{:>9} {}", size, path.display());
            }
        }
        Err(e) => CLI.fail(format!(
            "cannot write the corpus into {}: {e}",
            dir.display()
        )),
    }
}
