//! The real clock, in the one place Lab 1 reaches for it.
//!
//! Labs 2 to 5 run inside the simulator, where the workspace's lints forbid the wall clock
//! and blocking sleeps. Lab 1 is different: its coordinator and workers are real
//! processes, the course's apps sleep for real (`mtiming`, `jobcount`, `crash`) and stamp
//! real times, and the coordinator's task timeout is real seconds. Everything else in the
//! crate goes through these functions, so the exception is visible in one file.

use std::time::Duration;

/// A monotonic instant, for measuring how long something took.
pub type Instant = std::time::Instant;

/// Now, on the monotonic clock.
#[allow(clippy::disallowed_methods)] // Lab 1 runs on the real clock; see the module doc
pub fn now() -> Instant {
    std::time::Instant::now()
}

/// Seconds since the Unix epoch, with a fraction: the timestamp `mtiming` emits.
#[allow(clippy::disallowed_methods, clippy::disallowed_types)] // a real timestamp, by design
pub fn unix_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Blocks the calling thread: the apps run on a blocking thread of their own.
#[allow(clippy::disallowed_methods)] // real processes sleep for real
pub fn sleep_blocking(duration: Duration) {
    std::thread::sleep(duration);
}

/// Sleeps without blocking the runtime.
#[allow(clippy::disallowed_methods)] // real processes sleep for real
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// A seed that differs between processes and runs, for the apps that draw random delays
/// (`jobcount`, `crash`): the course's apps are random on purpose, and so are ours.
pub fn entropy_seed() -> u64 {
    let nanos = (unix_seconds().fract() * 1e9) as u64;
    nanos ^ (u64::from(std::process::id()) << 32)
}
