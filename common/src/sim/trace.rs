//! The world's event trace (`LAB_TRACE=<file>`): one line per network event, stamped with
//! virtual time, so two runs of one seed can be compared byte for byte.
//!
//! Line format: `<seconds>.<nanoseconds> <kind> <from> -> <to> <method> <bytes> [note]`.

use super::world::{self, lock};
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

pub(crate) enum Trace {
    File(BufWriter<File>),
    Memory(Vec<u8>),
}

impl Trace {
    pub(crate) fn to_file(path: &Path) -> std::io::Result<Trace> {
        Ok(Trace::File(BufWriter::new(File::create(path)?)))
    }

    fn out(&mut self) -> &mut dyn Write {
        match self {
            Trace::File(f) => f,
            Trace::Memory(v) => v,
        }
    }

    /// Flushes a file trace; returns the bytes of a memory trace.
    pub(crate) fn finish(self) -> std::io::Result<Option<Vec<u8>>> {
        match self {
            Trace::File(mut f) => f.flush().map(|_| None),
            Trace::Memory(v) => Ok(Some(v)),
        }
    }
}

/// Whether the current world records a trace (cheap; check before formatting a line).
pub fn enabled() -> bool {
    world::try_current().is_some_and(|w| w.trace.is_some())
}

/// Appends one line to the current world's trace, prefixed with the virtual time.
/// Does nothing when the world has no trace or outside a world.
pub fn record(args: fmt::Arguments<'_>) {
    let Some(w) = world::try_current() else {
        return;
    };
    w.touch();
    let Some(trace) = &w.trace else { return };
    let now = super::now();
    let mut t = lock(trace);
    // A trace that cannot be written is a diagnostic lost, not a reason to fail the run.
    let _ = writeln!(
        t.out(),
        "{}.{:09} {}",
        now.as_secs(),
        now.subsec_nanos(),
        args
    );
}
