//! The application interface: what a MapReduce job computes, apart from how it is run.
//!
//! The course loads each app as a Go plugin; here every app is compiled in and chosen by
//! name, so `mrworker wc` plays the part of `mrworker wc.so`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One intermediate pair, as Map emits it and Reduce receives it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyValue {
    /// Decides the reduce task (by [`crate::partition::ihash`]) and the output line.
    pub key: String,
    /// One of the values Reduce receives for the key.
    pub value: String,
}

impl KeyValue {
    /// A pair from anything string-like.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A MapReduce application, as in the paper and the course's `mrapps`.
///
/// Both functions are called from one thread at a time per worker; `Sync` is required
/// only because the worker runs them on a blocking thread.
pub trait MrApp: Send + Sync {
    /// Called once per input file with its name (as given to the coordinator) and
    /// contents; returns the intermediate pairs.
    fn map(&self, filename: &str, contents: &str) -> Vec<KeyValue>;

    /// Called once per distinct intermediate key with all of that key's values; returns
    /// the value of the key's output line.
    fn reduce(&self, key: &str, values: &[String]) -> String;
}

/// The names [`by_name`] accepts, in the order the course's tests use them.
pub const APP_NAMES: [&str; 8] = [
    "wc",
    "indexer",
    "mtiming",
    "rtiming",
    "jobcount",
    "early_exit",
    "crash",
    "nocrash",
];

/// No app has the name that was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownApp(pub String);

impl fmt::Display for UnknownApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown app '{}' (the apps are: {})",
            self.0,
            APP_NAMES.join(", ")
        )
    }
}

impl std::error::Error for UnknownApp {}

/// The app called `name`.
///
/// # Errors
/// [`UnknownApp`] when no app has that name.
pub fn by_name(name: &str) -> Result<Box<dyn MrApp>, UnknownApp> {
    use crate::apps;
    Ok(match name {
        "wc" => Box::new(apps::wc::WordCount),
        "indexer" => Box::new(apps::indexer::Indexer),
        "mtiming" => Box::new(apps::timing::MapTiming),
        "rtiming" => Box::new(apps::timing::ReduceTiming),
        "jobcount" => Box::new(apps::jobcount::JobCount::default()),
        "early_exit" => Box::new(apps::early_exit::EarlyExit),
        "crash" => Box::new(apps::crash::Crash::crashing()),
        "nocrash" => Box::new(apps::crash::Crash::reliable()),
        _ => return Err(UnknownApp(name.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_an_app_and_nothing_else_is() {
        for name in APP_NAMES {
            assert!(by_name(name).is_ok(), "{name}");
        }
        let err = by_name("wc.so").err().unwrap();
        assert!(err.to_string().contains("unknown app 'wc.so'"), "{err}");
    }
}
