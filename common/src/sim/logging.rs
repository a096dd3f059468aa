//! `tracing` output for simulated worlds: silent unless `RUST_LOG` is set, and stamped
//! with the world's virtual time (seconds since the world started) instead of wall time.

use std::fmt;
use std::io::IsTerminal;
use std::sync::Once;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

struct VirtualTime;

impl FormatTime for VirtualTime {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        match super::world::try_current().and_then(|w| w.start.get().copied()) {
            Some(start) => {
                let t = tokio::time::Instant::now().saturating_duration_since(start);
                write!(w, "{:>4}.{:06}", t.as_secs(), t.subsec_micros())
            }
            None => write!(w, "   -.------"),
        }
    }
}

/// Installs the log subscriber once per process, if `RUST_LOG` is set.
pub(crate) fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("RUST_LOG").is_none() {
            return;
        }
        let _ = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::from_default_env())
            .with_timer(VirtualTime)
            .with_ansi(std::io::stderr().is_terminal())
            .with_test_writer()
            .try_init();
    });
}
