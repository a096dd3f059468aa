//! `crash` and `nocrash`: the same small job, once with workers that exit or stall at
//! random inside Map and Reduce, once without, so the crash test can compare the two.

use crate::app::{KeyValue, MrApp};
use crate::clock;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::sync::Mutex;
use std::time::Duration;

/// The `crash` app (with `rng`) or the `nocrash` app (without).
pub struct Crash {
    rng: Option<Mutex<StdRng>>,
}

impl Crash {
    /// `crash`: each Map and Reduce call exits the process with probability 0.33, sleeps
    /// 0 to 10 s with probability 0.33, and otherwise runs normally, as in the course.
    pub fn crashing() -> Self {
        Crash {
            rng: Some(Mutex::new(StdRng::seed_from_u64(clock::entropy_seed()))),
        }
    }

    /// `nocrash`: the same output, never failing.
    pub fn reliable() -> Self {
        Crash { rng: None }
    }

    fn maybe_crash(&self) {
        let Some(rng) = &self.rng else { return };
        let (roll, pause) = match rng.lock() {
            Ok(mut rng) => (rng.random_range(0..1000), rng.random_range(0..10_000)),
            Err(_) => return,
        };
        if roll < 330 {
            std::process::exit(1);
        } else if roll < 660 {
            clock::sleep_blocking(Duration::from_millis(pause));
        }
    }
}

impl MrApp for Crash {
    fn map(&self, filename: &str, contents: &str) -> Vec<KeyValue> {
        self.maybe_crash();
        vec![
            KeyValue::new("a", filename),
            KeyValue::new("b", filename.len().to_string()),
            KeyValue::new("c", contents.len().to_string()),
            KeyValue::new("d", "xyzzy"),
        ]
    }

    fn reduce(&self, _key: &str, values: &[String]) -> String {
        self.maybe_crash();
        let mut values = values.to_vec();
        values.sort();
        values.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nocrash_output_is_the_crash_apps_without_failures() {
        let kvs = Crash::reliable().map("pg-x.txt", "abc");
        let vals: Vec<&str> = kvs.iter().map(|kv| kv.value.as_str()).collect();
        assert_eq!(vals, ["pg-x.txt", "8", "3", "xyzzy"]);
        let out = Crash::reliable().reduce("b", &["9".into(), "10".into()]);
        assert_eq!(out, "10 9");
    }
}
