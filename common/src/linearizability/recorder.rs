//! Records operations from many client tasks, with times that keep their real order.
//!
//! In virtual time many events share one instant, so a bare clock reading would make an
//! operation that returned before another was called look concurrent with it (or, worse,
//! make their order ambiguous). Every stamp is the simulation clock in nanoseconds, pushed
//! one nanosecond past the previous stamp when the clock has not moved: stamps are unique
//! and in the order the recorder saw the events, and stay within a few nanoseconds of the
//! virtual time. Two operations therefore count as concurrent only when they overlapped.

use super::Operation;
use crate::sim;
use std::sync::{Arc, Mutex};

/// A shared, cloneable log of completed operations.
///
/// ```
/// use common::linearizability::{Recorder, kv::{KvInput, KvOutput}};
/// common::sim::run(|| async {
///     let recorder = Recorder::new();
///     let call = recorder.call();
///     // ... the clerk's Get("k") returns "" ...
///     recorder.record(0, KvInput::Get { key: "k".into() }, call, KvOutput::default());
///     assert_eq!(recorder.history().len(), 1);
/// });
/// ```
#[derive(Debug)]
pub struct Recorder<I, O> {
    inner: Arc<Mutex<Inner<I, O>>>,
}

impl<I, O> Clone for Recorder<I, O> {
    fn clone(&self) -> Self {
        Recorder {
            inner: self.inner.clone(),
        }
    }
}

#[derive(Debug)]
struct Inner<I, O> {
    last: Option<u64>,
    history: Vec<Operation<I, O>>,
}

impl<I, O> Inner<I, O> {
    fn stamp(&mut self) -> u64 {
        let now = u64::try_from(sim::now().as_nanos()).unwrap_or(u64::MAX);
        let stamp = match self.last {
            Some(last) if now <= last => last + 1,
            _ => now,
        };
        self.last = Some(stamp);
        stamp
    }
}

impl<I, O> Recorder<I, O>
where
    I: Clone + std::fmt::Debug + Send + 'static,
    O: Clone + std::fmt::Debug + Send + 'static,
{
    /// An empty log.
    pub fn new() -> Self {
        Recorder {
            inner: Arc::new(Mutex::new(Inner {
                last: None,
                history: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<I, O>> {
        // A panicking client task fails the world anyway; keep the log readable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stamps a call: take it just before the clerk is asked.
    ///
    /// # Panics
    /// Outside a simulated world.
    pub fn call(&self) -> u64 {
        self.lock().stamp()
    }

    /// Stamps the return and logs the operation: call it just after the clerk answers.
    ///
    /// # Panics
    /// Outside a simulated world.
    pub fn record(&self, client_id: u64, input: I, call: u64, output: O) {
        let mut inner = self.lock();
        let ret = inner.stamp();
        let (i, o) = (input.clone(), output.clone());
        sim::timeline::op(client_id, call, ret, move |out| {
            sim::timeline::debug_capped(out, &(&i, &o));
        });
        inner.history.push(Operation {
            client_id,
            input,
            call,
            output,
            ret,
        });
    }

    /// The operations logged so far, in the order they returned.
    pub fn history(&self) -> Vec<Operation<I, O>> {
        self.lock().history.clone()
    }

    /// Moves the logged operations out, leaving the log empty: no copy of a history that
    /// may hold gigabytes of values read.
    pub fn take(&self) -> Vec<Operation<I, O>> {
        std::mem::take(&mut self.lock().history)
    }

    /// How many operations are logged.
    pub fn len(&self) -> usize {
        self.lock().history.len()
    }

    /// Whether nothing is logged.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<I, O> Default for Recorder<I, O>
where
    I: Clone + std::fmt::Debug + Send + 'static,
    O: Clone + std::fmt::Debug + Send + 'static,
{
    fn default() -> Self {
        Recorder::new()
    }
}
