//! `early_exit`: some reduces are slow, so a worker or coordinator that exits before the
//! whole output is written is caught.

use crate::app::{KeyValue, MrApp};
use crate::clock;
use std::time::Duration;

/// The `early_exit` app.
pub struct EarlyExit;

impl MrApp for EarlyExit {
    fn map(&self, filename: &str, _contents: &str) -> Vec<KeyValue> {
        vec![KeyValue::new(filename, "1")]
    }

    /// Takes 3 s for the Sherlock Holmes and Tom Sawyer files, at once for the others.
    fn reduce(&self, key: &str, values: &[String]) -> String {
        if key.contains("sherlock") || key.contains("tom") {
            clock::sleep_blocking(Duration::from_secs(3));
        }
        values.len().to_string()
    }
}
