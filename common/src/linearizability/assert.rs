//! What a test calls: check, save the history if asked, explain and draw a failure.

use super::explain::explain;
use super::{Budget, CheckResult, Model, Operation, Verdict, check, html};
use crate::sim;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Checks `history` with the course's `timeout` (as a step budget, see
/// [`Budget::from_timeout`]) and fails the test unless it is linearizable.
///
/// With `LAB_HISTORY_DIR=<dir>`, the history is first saved there as JSON (models that
/// have a file format, like the KV model). On an illegal history, an HTML picture is written
/// (to that directory, else the system's temp directory), its path and a short explanation
/// are printed, and the test panics with the course's `history is not linearizable`. Unlike
/// the course, an undecided check fails the test too.
///
/// # Panics
/// When the history is malformed, not linearizable, or undecided.
pub fn assert_linearizable<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    timeout: Duration,
) -> Verdict {
    let dir = std::env::var_os("LAB_HISTORY_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    match check_and_report(model, history, timeout, dir.as_deref()) {
        Ok(verdict) => verdict,
        Err(message) => panic!("{message}"),
    }
}

/// [`assert_linearizable`] with the history directory given, and the failure returned.
pub(crate) fn check_and_report<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    timeout: Duration,
    history_dir: Option<&Path>,
) -> Result<Verdict, String> {
    if let Some(dir) = history_dir
        && let Some(json) = model.history_json(history)
        && let Some(path) = output_file(dir, "json")
    {
        match std::fs::write(&path, json) {
            Ok(()) => println!("info: wrote history to {}", path.display()),
            Err(e) => println!("info: could not write history to {}: {e}", path.display()),
        }
    }
    let verdict = check(model, history, Budget::from_timeout(timeout))
        .map_err(|e| format!("malformed history: {e}"))?;
    match verdict.result {
        CheckResult::Ok => Ok(verdict),
        CheckResult::Illegal => {
            let title = format!("History of {}", label());
            let page = html::render(model, history, &verdict, &title);
            let temp = std::env::temp_dir().join("lab-histories");
            if let Some(path) = output_file(history_dir.unwrap_or(&temp), "html") {
                match std::fs::write(&path, page) {
                    Ok(()) => {
                        println!("info: wrote history visualization to {}", path.display());
                        sim::timeline::note(
                            sim::timeline::Lane::Test,
                            format!("history visualization: {}", path.display()),
                        );
                    }
                    Err(e) => println!("info: could not write {}: {e}", path.display()),
                }
            }
            println!("{}", explain(model, history, &verdict));
            Err("history is not linearizable".to_string())
        }
        CheckResult::Unknown => {
            println!("{}", explain(model, history, &verdict));
            Err(format!(
                "linearizability check undecided after {} search steps (the course would \
                 assume ok; we do not)",
                verdict.steps()
            ))
        }
    }
}

/// `<test>` with the seed when in a world.
fn label() -> String {
    let test = sim::test_name().unwrap_or_else(|| "a test".to_string());
    match sim::try_seed() {
        Some(seed) => format!("{test} (seed {seed})"),
        None => test,
    }
}

/// A fresh file name in `dir`: test name, seed, process and a counter keep names apart.
fn output_file(dir: &Path, ext: &str) -> Option<PathBuf> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    if let Err(e) = std::fs::create_dir_all(dir) {
        println!("info: could not create {}: {e}", dir.display());
        return None;
    }
    let test: String = sim::test_name()
        .unwrap_or_else(|| "history".to_string())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let seed = sim::try_seed().map_or(String::new(), |s| format!("-seed{s}"));
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    Some(dir.join(format!("{test}{seed}-{}-{n}.{ext}", std::process::id())))
}
