//! `jobcount`: counts how many times Map ran, to catch a coordinator that hands out a task
//! twice when no worker failed.

use crate::app::{KeyValue, MrApp};
use crate::clock;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::fs;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The `jobcount` app.
pub struct JobCount {
    runs: AtomicUsize,
    rng: Mutex<StdRng>,
}

impl Default for JobCount {
    fn default() -> Self {
        JobCount {
            runs: AtomicUsize::new(0),
            rng: Mutex::new(StdRng::seed_from_u64(clock::entropy_seed())),
        }
    }
}

impl MrApp for JobCount {
    /// Leaves one file per Map run (`mr-worker-jobcount-<pid>-<n>`) and takes 2 to 5 s, so
    /// a coordinator that re-issues tasks early or twice is caught.
    fn map(&self, _filename: &str, _contents: &str) -> Vec<KeyValue> {
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let _ = fs::write(
            format!("mr-worker-jobcount-{}-{n}", std::process::id()),
            "x",
        );
        let pause = self
            .rng
            .lock()
            .map_or(0, |mut rng| rng.random_range(0..3000));
        clock::sleep_blocking(Duration::from_millis(2000 + pause));
        vec![KeyValue::new("a", "x")]
    }

    /// The number of Map runs, from the files they left.
    fn reduce(&self, _key: &str, _values: &[String]) -> String {
        fs::read_dir(".")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("mr-worker-jobcount")
            })
            .count()
            .to_string()
    }
}
