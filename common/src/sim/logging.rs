//! `tracing` output for simulated worlds: silent unless `RUST_LOG` or `LAB_LOG_JSON` is
//! set, and stamped with the world's virtual time (seconds since the world started)
//! instead of wall time.
//!
//! - `RUST_LOG=<filter>`: text lines, as `tracing_subscriber::fmt` writes them.
//! - `LAB_LOG_JSON=1`: JSON lines ([`super::json_log`]) for `scripts/lablog`, at `debug`
//!   unless `RUST_LOG` gives another filter.
//!
//! Spans are always enabled, whatever the filter says, because their fields (`group`,
//! `peer`) say which server an event belongs to.

use std::fmt;
use std::io::IsTerminal;
use std::sync::Once;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{FilterExt, filter_fn};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::prelude::*;

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

/// Installs the log subscriber once per process, if `RUST_LOG` or `LAB_LOG_JSON` is set.
pub(crate) fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let json = std::env::var_os("LAB_LOG_JSON").is_some_and(|v| v != "0" && !v.is_empty());
        let filter = match std::env::var("RUST_LOG") {
            Ok(filter) => EnvFilter::new(filter),
            Err(_) if json => EnvFilter::new("debug"),
            Err(_) => return,
        };
        let filter = filter.or(filter_fn(|meta| meta.is_span()));
        let registry = tracing_subscriber::registry();
        let _ = if json {
            registry
                .with(super::json_log::JsonLayer.with_filter(filter))
                .try_init()
        } else {
            let text = tracing_subscriber::fmt::layer()
                .with_timer(VirtualTime)
                .with_ansi(std::io::stderr().is_terminal())
                .with_test_writer();
            registry.with(text.with_filter(filter)).try_init()
        };
    });
}
