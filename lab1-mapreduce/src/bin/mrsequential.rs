//! `mrsequential`: the reference. Runs the whole job in one process and writes one output
//! file, which a distributed run must match once both are sorted.

use lab1_mapreduce::cli::{Arg, Cli};
use lab1_mapreduce::{app, files, sequential};
use std::path::Path;

const CLI: Cli = Cli {
    prog: "mrsequential",
    usage: "usage: mrsequential [--out FILE] APP INPUT...

Runs APP over the INPUT files in one process and writes FILE (default mr-out-0).",
};

fn main() {
    let mut out = "mr-out-0".to_string();
    let mut positional = Vec::new();
    for arg in CLI.args(&["--out"]) {
        match arg {
            Arg::Option(_, value) => out = value,
            Arg::Flag(name) => CLI.usage_error(format!("unknown option {name}")),
            Arg::Positional(p) => positional.push(p),
        }
    }
    if positional.len() < 2 {
        CLI.usage_error("need an app and at least one input file");
    }
    let app = app::by_name(&positional[0]).unwrap_or_else(|e| CLI.usage_error(e));
    let text = sequential::run(&*app, &positional[1..]).unwrap_or_else(|e| CLI.fail(e));
    let out = Path::new(&out);
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(name) = name else {
        CLI.usage_error("--out must name a file")
    };
    if let Err(e) = files::write_atomically(dir, &name, text.as_bytes()) {
        CLI.fail(format!("cannot write {}: {e}", out.display()));
    }
}
