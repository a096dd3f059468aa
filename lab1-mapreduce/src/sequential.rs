//! The reference: the whole job in one process, with no partitioning, no files between
//! phases and no failures. Its output is what a correct distributed run must match, line
//! for line once both are sorted.

use crate::app::MrApp;
use crate::files;
use std::io;
use std::path::Path;

/// Maps every file in turn, then reduces every key: the text of `mr-out-0`.
///
/// # Errors
/// When an input file cannot be read (the error names the file).
pub fn run(app: &dyn MrApp, inputs: &[String]) -> io::Result<String> {
    run_in(Path::new("."), app, inputs)
}

/// As [`run`], as if run in directory `dir`: relative input names are read from there,
/// and the map function sees them as given (the apps write the names into the output).
///
/// # Errors
/// When an input file cannot be read (the error names the file).
pub fn run_in(dir: &Path, app: &dyn MrApp, inputs: &[String]) -> io::Result<String> {
    let mut pairs = Vec::new();
    for file in inputs {
        let bytes = std::fs::read(dir.join(file))
            .map_err(|e| io::Error::new(e.kind(), format!("{file}: {e}")))?;
        pairs.extend(app.map(file, &String::from_utf8_lossy(&bytes)));
    }
    Ok(files::reduce_all(pairs, |key, values| {
        app.reduce(key, values)
    }))
}
