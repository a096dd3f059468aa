//! `mrcorpus`: writes the eight generated input books, under the course's file names.

use clap::Parser;
use lab1_mapreduce::{cli, corpus};
use std::path::PathBuf;

/// Writes the eight input files (pg-being_ernest.txt ... pg-tom_sawyer.txt) into DIR.
/// The files are the same bytes on every machine.
#[derive(Parser)]
#[command(args_override_self = true, name = "mrcorpus", version)]
struct Args {
    /// Where to write them
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

fn main() {
    let Args { dir } = Args::parse();
    match corpus::write(&dir) {
        Ok(paths) => {
            for path in paths {
                let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                println!("{:>9} {}", size, path.display());
            }
        }
        Err(e) => cli::fail(
            "mrcorpus",
            format!("cannot write the corpus into {}: {e}", dir.display()),
        ),
    }
}
