//! The state of one simulated world: its seed and RNG, its start instant, its trace, its
//! queue of sub-millisecond timers, and the first failure seen in it.
//!
//! The world is reachable from any code running inside it through a thread-local, which
//! [`super::run`] sets on the thread that drives the world (and, in real-time mode, on
//! every worker thread), so library code can ask for `sim::rng` without being handed a
//! context.

use super::tasks::Tasks;
use super::time::FineQueue;
use super::timeline::Timeline;
use super::trace::Trace;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tokio::sync::Notify;
use tokio::time::Instant;

pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) realtime: bool,
    rng: Mutex<StdRng>,
    /// Virtual (or, in real-time mode, real) instant the world started at.
    pub(crate) start: OnceLock<Instant>,
    /// When the world's time limit fires: the clock is never advanced past it for a
    /// sleeper, so the watchdog (a plain tokio timer) fires on time.
    pub(crate) limit_at: OnceLock<Instant>,
    pub(crate) trace: Option<Mutex<Trace>>,
    pub(crate) fine: Mutex<FineQueue>,
    /// Set by the world's own APIs (rng, sleep, network, trace) whenever they are used;
    /// the idle hook clears it. Tokio's wheel also wakes the driver with no task to run
    /// while it cascades a far timer, so a park alone does not mean anything ran.
    pub(crate) active: AtomicBool,
    /// When the world last went idle after something ran in it: explains a time-limit
    /// failure (a deadlock shows as a long silence before the limit).
    pub(crate) last_active: Mutex<Option<Instant>>,
    /// How many [`super::sleep`] calls are pending.
    pub(crate) sleeping: AtomicUsize,
    failure: Mutex<Option<String>>,
    pub(crate) failed: Notify,
    /// The tasks and what they wait on, for the report of a stopped world.
    pub(crate) tasks: Mutex<Tasks>,
    /// What the harness did and the clients asked, for the page of a failed test.
    pub(crate) timeline: Mutex<Timeline>,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<World>>> = const { RefCell::new(None) };
}

/// Locks a mutex whose data stays consistent across a panic (every critical section
/// here is a single push, pop or assignment).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl World {
    pub(crate) fn new(seed: u64, realtime: bool, trace: Option<Trace>) -> World {
        World {
            seed,
            realtime,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            start: OnceLock::new(),
            limit_at: OnceLock::new(),
            trace: trace.map(Mutex::new),
            fine: Mutex::new(FineQueue::default()),
            active: AtomicBool::new(true),
            last_active: Mutex::new(None),
            sleeping: AtomicUsize::new(0),
            failure: Mutex::new(None),
            failed: Notify::new(),
            tasks: Mutex::new(Tasks::default()),
            timeline: Mutex::new(Timeline::default()),
        }
    }

    pub(crate) fn with_rng<T>(&self, f: impl FnOnce(&mut StdRng) -> T) -> T {
        self.touch();
        f(&mut lock(&self.rng))
    }

    /// Notes that something ran in the world.
    pub(crate) fn touch(&self) {
        self.active.store(true, Ordering::Relaxed);
    }

    pub(crate) fn start(&self) -> Instant {
        *self
            .start
            .get()
            .expect("world clock read before the world started")
    }

    /// Records the first failure of the world and wakes [`super::run`], which ends it.
    pub(crate) fn fail(&self, message: String) {
        let mut slot = lock(&self.failure);
        if slot.is_none() {
            *slot = Some(message);
            self.failed.notify_one();
        }
    }

    pub(crate) fn failure(&self) -> Option<String> {
        lock(&self.failure).clone()
    }
}

/// Makes `world` the current world of this thread until the guard drops.
pub(crate) fn enter(world: Arc<World>) -> EnterGuard {
    let previous = CURRENT.with(|c| c.borrow_mut().replace(world));
    EnterGuard { previous }
}

pub(crate) struct EnterGuard {
    previous: Option<Arc<World>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
    }
}

/// The current world, if this thread runs one. Never panics, even while unwinding.
pub(crate) fn try_current() -> Option<Arc<World>> {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|w| w.clone()))
        .ok()
        .flatten()
}

/// Runs `f` on the current world.
///
/// # Panics
/// Outside [`super::run`]: simulated code must run inside a world.
#[track_caller]
pub(crate) fn with<T>(f: impl FnOnce(&World) -> T) -> T {
    CURRENT.with(|c| {
        let world = c.borrow();
        let world = world
            .as_ref()
            .expect("no simulated world on this thread: run this code inside common::sim::run");
        f(world)
    })
}
