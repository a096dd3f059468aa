//! The deterministic simulation runtime: each test body runs in a *world*.
//!
//! A world is a single-threaded Tokio runtime whose clock is paused and jumps ahead
//! whenever every task waits, so the course's timing rules (heartbeats, election
//! timeouts, the tester's 2 s / 5 s / 10 s waits) cost no wall time. All randomness of the
//! world (network drops and delays, election timeouts, test choices) comes from one RNG
//! seeded per world through [`rng`]; with the same seed a world replays event for event.
//!
//! - `LAB_SEED=<u64>` fixes the seed; without it one is drawn and, if the world fails,
//!   printed together with the command that replays it.
//! - `LAB_TRACE=<file>` writes one line per network event (see [`trace`]).
//! - `LAB_REALTIME=1` runs the same body on Tokio's multi-threaded runtime with the real
//!   clock: real concurrency, no determinism.
//!
//! A world fails, and the test with it, when any task in it panics (Tokio alone would
//! only log that and carry on), or when it runs past its time limit (120 s of virtual
//! time, the course's per-test limit); a deadlock ends that way too, at once in wall
//! time, and the message says since when nothing has run and what each task waits on
//! (where it was spawned, for which server, inside which named wait point: see
//! [`spawn`], [`waiting`] and [`report_state`]). A blocking call inside a world (Tokio's
//! `blocking_send`, say, which would stop every task of the world's one thread) fails it
//! with a hint.
//!
//! # Example
//! ```
//! use common::sim;
//! use std::time::Duration;
//! sim::run(|| async {
//!     sim::sleep(Duration::from_secs(10)).await; // ten virtual seconds, no wall time
//!     assert!(sim::now() >= Duration::from_secs(10));
//! });
//! ```

mod json_log;
mod logging;
mod replay;
mod tasks;
pub(crate) use tasks::Wait;
mod time;
pub mod timeline;
pub mod trace;
mod world;

pub use rand::RngExt;
pub use rand::rngs::StdRng;
pub use replay::replay_command;
pub use time::sleep;

/// `tokio::spawn`, with the task kept in the current tracing span (a server's tasks stay
/// in the `server` span its tester opened, so every log line says whose it is) and in the
/// world's table of tasks: if the world stops with every task waiting, its report says
/// where each was spawned and what it waits on.
#[track_caller]
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let at = std::panic::Location::caller();
    let future = tracing::Instrument::in_current_span(future);
    match world::try_current() {
        Some(world) => tasks::track(world, at, future).spawn(),
        None => tokio::spawn(future),
    }
}

/// As [`spawn`], for a task of server `owner` (an RPC handler on the fake network).
#[track_caller]
pub(crate) fn spawn_for<F>(owner: Arc<str>, future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let at = std::panic::Location::caller();
    match world::try_current() {
        Some(world) => tasks::track_as(world, at, Some(owner), None, future).spawn(),
        None => tokio::spawn(future),
    }
}

/// As [`waiting`], for the wait points the fake network enters on every call.
pub(crate) async fn waiting_for<F: Future>(
    wait: impl FnOnce() -> tasks::Wait,
    future: F,
) -> F::Output {
    let _wait = tasks::enter(wait);
    future.await
}

/// Runs `future` as a wait point named `what` of the current task: while it is pending,
/// a report of the stopped world says the task waits on `what` (and since when). Use it
/// where a task can wait long on something outside it: an RPC, a channel, a lock.
///
/// ```
/// use common::sim;
/// sim::run(|| async {
///     let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(1);
///     sim::spawn(async move { tx.send(7).await });
///     let got = sim::waiting("the answer channel", rx.recv()).await;
///     assert_eq!(got, Some(7));
/// });
/// ```
pub async fn waiting<F: Future>(
    what: impl Into<std::borrow::Cow<'static, str>>,
    future: F,
) -> F::Output {
    let _wait = tasks::enter(|| tasks::Wait::Named(what.into()));
    future.await
}

/// Adds a bounded channel to the report of a world that stops with every task waiting:
/// how many messages it holds that its reader has not taken (a full apply channel and a
/// reader stuck elsewhere is the course's "four-way deadlock").
pub fn report_channel<T: Send + 'static>(
    name: impl Into<String>,
    tx: &tokio::sync::mpsc::Sender<T>,
) {
    let (name, weak) = (name.into(), tx.downgrade());
    report_state(move || {
        let tx = weak.upgrade()?;
        let unread = tx.max_capacity() - tx.capacity();
        Some(format!(
            "{name} holds {unread} message(s) its reader has not taken"
        ))
    });
}

/// Fails the world running on this thread with `message`, if there is one (the world then
/// ends, and its test with it, as after a panic). For harness code that finds a bug in the
/// code under test that the course's harness treats as fatal.
pub fn fail_world(message: String) {
    if let Some(world) = world::try_current() {
        world.fail(message);
    }
}

/// Stops at once every task of server `label` (its [`ServerSpan::label`]) and of its RPC
/// handlers (`net_name`, its name on the network), as SIGKILL stops a process: none of
/// them runs again, whatever it was waiting on. Tasks spawned with plain `tokio::spawn`
/// are not known to the world and keep running. Returns how many tasks were stopped (0
/// outside a world).
pub fn kill_server_tasks(label: &str, net_name: &str) -> usize {
    match world::try_current() {
        Some(world) => tasks::abort_owned_by(&world, &[label, net_name]),
        None => 0,
    }
}

/// Adds a probe to the report of a world that stops with every task waiting: `describe`
/// says, in a line, the state of something the tester can see (how full an apply
/// channel is, say), or `None` once that thing is gone.
pub fn report_state(describe: impl Fn() -> Option<String> + Send + Sync + 'static) {
    if let Some(world) = world::try_current() {
        tasks::add_probe(&world, Box::new(describe));
    }
}

/// The span a tester opens while it starts server `peer` (of replica group `group`, for
/// services of several groups): the server's tasks ([`spawn`]) and RPC handlers run in
/// it, so the logs (`LAB_LOG_JSON`) put each line in its server's column, and a report
/// of a stopped world says whose each task is.
pub fn server_span(group: Option<&str>, peer: usize) -> ServerSpan {
    let span =
        tracing::info_span!(target: "harness", "server", group = tracing::field::Empty, peer);
    if let Some(group) = group {
        span.record("group", group);
    }
    let label = match group {
        Some(group) => format!("group {group} peer {peer}"),
        None => format!("peer {peer}"),
    };
    ServerSpan {
        span,
        label: Arc::from(label),
    }
}

/// A server's span, from [`server_span`].
pub struct ServerSpan {
    span: tracing::Span,
    label: Arc<str>,
}

impl ServerSpan {
    /// The label its tasks are known by (`group 1 peer 2`), for [`kill_server_tasks`].
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Enters the span: until the guard drops, what is spawned or logged belongs to the
    /// server.
    pub fn entered(self) -> ServerSpanGuard {
        ServerSpanGuard {
            _owner: tasks::set_owner(Some(self.label)),
            _span: self.span.entered(),
        }
    }
}

/// While alive, the current thread is starting a server (see [`ServerSpan::entered`]).
pub struct ServerSpanGuard {
    _owner: tasks::OwnerGuard,
    _span: tracing::span::EnteredSpan,
}

use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;
use trace::Trace;
use world::{World, lock};

/// Letters, a-z then A-Z.
pub const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Letters and digits.
pub const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `n` characters drawn from `alphabet` (ASCII) with the world's RNG: the course's
/// `randstring` and `RandValue`, each with its alphabet.
pub fn random_string(alphabet: &[u8], n: usize) -> String {
    rng(|r| {
        (0..n)
            .map(|_| char::from(alphabet[r.random_range(0..alphabet.len())]))
            .collect()
    })
}

/// The course's per-test time limit, here in virtual time.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(120);

/// The seed of the world running on this thread.
///
/// # Panics
/// Outside a world.
#[track_caller]
pub fn seed() -> u64 {
    world::with(|w| w.seed)
}

/// Runs `f` with the world's RNG: the only source of randomness for simulated code.
///
/// ```
/// use common::sim::{self, RngExt};
/// sim::run(|| async {
///     let timeout_ms: u64 = sim::rng(|r| r.random_range(300..600));
///     assert!((300..600).contains(&timeout_ms));
/// });
/// ```
///
/// # Panics
/// Outside a world.
#[track_caller]
pub fn rng<T>(f: impl FnOnce(&mut StdRng) -> T) -> T {
    world::with(|w| w.with_rng(f))
}

/// Time since the world started: virtual in simulation, real with `LAB_REALTIME=1`.
///
/// # Panics
/// Outside a world.
#[track_caller]
pub fn now() -> Duration {
    let start = world::with(|w| w.start());
    tokio::time::Instant::now().saturating_duration_since(start)
}

/// Whether this world runs on the real clock (`LAB_REALTIME=1`).
///
/// # Panics
/// Outside a world.
#[track_caller]
pub fn is_realtime() -> bool {
    world::with(|w| w.realtime)
}

/// Where a world's trace goes.
#[derive(Debug, Clone, Default)]
pub enum TraceTo {
    /// No trace.
    #[default]
    Off,
    /// A file, truncated at the start of the world.
    File(PathBuf),
    /// Memory, returned in [`Finished::trace`].
    Memory,
}

/// How to run a world. [`Builder::from_env`] reads the `LAB_*` variables.
#[derive(Debug, Clone)]
pub struct Builder {
    seed: Option<u64>,
    realtime: bool,
    trace: TraceTo,
    time_limit: Duration,
}

/// A world that finished without failing.
#[derive(Debug)]
pub struct Finished<T> {
    /// What the body returned.
    pub value: T,
    /// The world's seed.
    pub seed: u64,
    /// Virtual time the world ran for.
    pub elapsed: Duration,
    /// Wall-clock time the run took (the simulator's own speed).
    pub wall: Duration,
    /// The trace, when it went to memory.
    pub trace: Option<Vec<u8>>,
}

impl<T> Finished<T> {
    /// The demos' closing line: the seed, and virtual against wall time.
    pub fn timing(&self) -> String {
        format!(
            "seed {}: {:.1} s of virtual time in {:.2} s of wall time",
            self.seed,
            self.elapsed.as_secs_f64(),
            self.wall.as_secs_f64()
        )
    }

    /// How to replay this run exactly: `command` with the seed set.
    pub fn replay(&self, command: &str) -> String {
        format!("replay this exact run: LAB_SEED={} {command}", self.seed)
    }
}

/// The wall clock, read only to report how fast a run went (never inside a world).
#[allow(clippy::disallowed_methods)]
fn wall_clock() -> std::time::Instant {
    std::time::Instant::now()
}

/// A world that failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The world's seed: run again with it to replay the failure.
    pub seed: u64,
    /// What went wrong: a panic's message and place, or the time limit.
    pub message: String,
    /// Virtual time at the failure.
    pub elapsed: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            seed: None,
            realtime: false,
            trace: TraceTo::Off,
            time_limit: DEFAULT_TIME_LIMIT,
        }
    }
}

impl Builder {
    /// A simulated world with a drawn seed, no trace and the default time limit.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Settings from `LAB_SEED`, `LAB_TRACE` and `LAB_REALTIME`.
    ///
    /// # Panics
    /// When `LAB_SEED` is set but is not an unsigned integer.
    pub fn from_env() -> Builder {
        let mut b = Builder::new();
        if let Ok(s) = std::env::var("LAB_SEED") {
            let seed = s.trim().parse().unwrap_or_else(|_| {
                panic!("LAB_SEED must be an unsigned 64-bit integer, got {s:?}")
            });
            b.seed = Some(seed);
        }
        if let Some(path) = std::env::var_os("LAB_TRACE").filter(|p| !p.is_empty()) {
            b.trace = TraceTo::File(PathBuf::from(path));
        }
        b.realtime = std::env::var("LAB_REALTIME").is_ok_and(|v| v == "1" || v == "true");
        b
    }

    /// Fixes the seed.
    pub fn seed(mut self, seed: u64) -> Builder {
        self.seed = Some(seed);
        self
    }

    /// Runs on the multi-threaded runtime with the real clock.
    pub fn realtime(mut self, realtime: bool) -> Builder {
        self.realtime = realtime;
        self
    }

    /// Sets where the trace goes.
    pub fn trace(mut self, to: TraceTo) -> Builder {
        self.trace = to;
        self
    }

    /// Sets the time limit (virtual time in simulation).
    pub fn time_limit(mut self, limit: Duration) -> Builder {
        self.time_limit = limit;
        self
    }

    /// Runs the world; on failure prints the seed and the replay command, then panics.
    ///
    /// # Panics
    /// When the world fails: a task panicked, or it ran past its time limit.
    #[track_caller]
    pub fn run<F, Fut>(self, body: F) -> Fut::Output
    where
        F: FnOnce() -> Fut,
        Fut: Future,
    {
        let at = std::panic::Location::caller();
        let (result, world) = self.run_world(at, body);
        let failure = result.as_ref().err().map(failure_report);
        if timeline::wanted(failure.is_some()) {
            let test = test_name().unwrap_or_else(|| "a world".to_string());
            let end = match &result {
                Ok(done) => done.elapsed,
                Err(f) => f.elapsed,
            };
            let page = timeline::write(
                &lock(&world.timeline),
                &test,
                world.seed,
                failure.as_deref(),
                end,
            );
            timeline::announce(page);
        }
        match result {
            Ok(done) => done.value,
            Err(failure) => {
                eprintln!("{}", failure_report(&failure));
                panic!(
                    "simulated world failed (seed {}): {}",
                    failure.seed, failure.message
                );
            }
        }
    }

    /// Runs the world and returns how it ended.
    ///
    /// # Errors
    /// When a task panicked or the world ran past its time limit.
    #[track_caller]
    pub fn try_run<F, Fut>(self, body: F) -> Result<Finished<Fut::Output>, Failure>
    where
        F: FnOnce() -> Fut,
        Fut: Future,
    {
        let at = std::panic::Location::caller();
        self.run_world(at, body).0
    }

    /// [`Builder::try_run`], with the world it ran (for its timeline).
    fn run_world<F, Fut>(
        self,
        at: &'static std::panic::Location<'static>,
        body: F,
    ) -> (Result<Finished<Fut::Output>, Failure>, Arc<World>)
    where
        F: FnOnce() -> Fut,
        Fut: Future,
    {
        install_panic_hook();
        logging::init();
        let wall = wall_clock();
        let seed = self.seed.unwrap_or_else(draw_seed);
        let trace = match &self.trace {
            TraceTo::Off => None,
            TraceTo::Memory => Some(Trace::Memory(Vec::new())),
            TraceTo::File(path) => Some(
                Trace::to_file(path)
                    .unwrap_or_else(|e| panic!("LAB_TRACE: cannot create {}: {e}", path.display())),
            ),
        };
        let world = Arc::new(World::new(seed, self.realtime, trace));
        let _entered = world::enter(world.clone());
        let runtime = build_runtime(&world);
        let limit = self.time_limit;

        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(async {
                let start = tokio::time::Instant::now();
                let _ = world.start.set(start);
                let _ = world.limit_at.set(start + limit);
                let body = tasks::track_as(world.clone(), at, None, Some("the test body"), body());
                tokio::pin!(body);
                // The watchdog is a plain tokio timer on purpose: it must not count as a
                // sleep of the world in the deadlock report.
                #[allow(clippy::disallowed_methods)]
                let limit_reached = tokio::time::sleep(limit);
                tokio::pin!(limit_reached);
                let failed = world.failed.notified();
                tokio::pin!(failed);
                tokio::select! {
                    biased;
                    _ = &mut failed => Err(()),
                    value = &mut body => Ok(value),
                    _ = &mut limit_reached => {
                        world.fail(time_limit_message(&world, limit));
                        Err(())
                    }
                }
            })
        }));
        let elapsed = world.start.get().map_or(Duration::ZERO, |start| {
            let _clock = runtime.enter(); // reads the world's (virtual) clock
            tokio::time::Instant::now() - *start
        });
        // Dropping the runtime cancels every task of the world.
        drop(runtime);

        let trace = world
            .trace
            .as_ref()
            .map(|t| std::mem::replace(&mut *lock(t), Trace::Memory(Vec::new())));
        let trace = match trace.map(Trace::finish).transpose() {
            Ok(t) => t.flatten(),
            Err(e) => {
                eprintln!("LAB_TRACE: could not write the trace: {e}");
                None
            }
        };
        let result = match result {
            Ok(Ok(value)) => Ok(Finished {
                value,
                seed,
                elapsed,
                wall: wall.elapsed(),
                trace,
            }),
            Ok(Err(())) | Err(_) => Err(Failure {
                seed,
                message: world
                    .failure()
                    .unwrap_or_else(|| "the test body panicked".to_string()),
                elapsed,
            }),
        };
        (result, world)
    }
}

/// Runs `body` in a world configured from the environment ([`Builder::from_env`]).
///
/// # Panics
/// When the world fails; the seed and the replay command are printed first.
#[track_caller]
pub fn run<F, Fut>(body: F) -> Fut::Output
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    Builder::from_env().run(body)
}

fn build_runtime(world: &Arc<World>) -> tokio::runtime::Runtime {
    let runtime = if world.realtime {
        let w = world.clone();
        // Sockets and signals too: the real cluster's processes run in a real-time world.
        // A simulated world has none, so no simulated code can reach the real network.
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .on_thread_start(move || std::mem::forget(world::enter(w.clone())))
            .build()
    } else {
        let w = world.clone();
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .on_thread_park(move || time::on_idle(&w))
            .build()
    };
    runtime.expect("cannot build the Tokio runtime of a simulated world")
}

fn draw_seed() -> u64 {
    // Not simulated code: the one place that asks the OS for entropy, to pick a seed.
    RandomState::new().hash_one(std::process::id()) >> 1
}

fn time_limit_message(world: &World, limit: Duration) -> String {
    let alive = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let report = tasks::report(world, tokio::time::Instant::now(), alive);
    format!("{}\n{report}", stopped_message(world, limit))
}

fn stopped_message(world: &World, limit: Duration) -> String {
    let start = world.start();
    let active_until = lock(&world.last_active).map(|t| t.saturating_duration_since(start));
    let sleeping = world.sleeping.load(std::sync::atomic::Ordering::Relaxed);
    match active_until {
        Some(t) if sleeping == 0 && limit.saturating_sub(t) >= Duration::from_secs(1) => format!(
            "deadlock: nothing in the world has run since virtual time {:.3} s; every task \
             is waiting and no timer fired before the {} s limit",
            t.as_secs_f64(),
            limit.as_secs()
        ),
        _ => format!(
            "the world ran past its time limit of {} s of virtual time (the course's per-test \
             limit); it was last active at {:.3} s, with {sleeping} sleep(s) pending",
            limit.as_secs(),
            active_until.unwrap_or_default().as_secs_f64()
        ),
    }
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            previous(info);
            if let Some(world) = world::try_current() {
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-string panic payload)".to_string());
                let place = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let thread = std::thread::current();
                let name = thread.name().unwrap_or("?");
                let hint = blocking_hint(&payload);
                world.fail(format!("panic in thread '{name}'{place}: {payload}{hint}"));
            }
        }));
    });
}

/// What to add to a panic that Tokio raises when simulated code blocks its thread: in a
/// world every task shares that thread, so a blocking call there would stop them all.
fn blocking_hint(payload: &str) -> &'static str {
    if payload.contains("Cannot block the current thread from within a runtime")
        || payload.contains("Cannot start a runtime from within a runtime")
    {
        "\nhint: a blocking call (blocking_send, blocking_recv, blocking_lock, block_on) ran \
         inside the simulation, where every task shares one thread. Await instead, from a \
         task of its own, and never while holding a lock that the task you wait for needs \
         (deliver on the apply channel with `send().await` from an applier task, outside \
         your lock)"
    } else {
        ""
    }
}

/// The report printed when a world fails: what happened, the seed, how to replay it.
pub fn failure_report(failure: &Failure) -> String {
    format!(
        "---- simulated world failed at virtual time {:.3} s ----\n{}\nseed: {}\nreplay: {}",
        failure.elapsed.as_secs_f64(),
        failure.message,
        failure.seed,
        replay_command(failure.seed)
    )
}

/// The name of the test running on this thread, as libtest gives it (`module::test`).
///
/// libtest names a test's thread after the test, except with `--test-threads=1`, where
/// the test runs on "main"; the stress runner then says which test it runs through
/// `LAB_TEST_NAME`.
pub fn test_name() -> Option<String> {
    let thread = std::thread::current();
    match (thread.name(), std::env::var("LAB_TEST_NAME")) {
        (_, Ok(name)) if !name.is_empty() => Some(name),
        (Some(name), _) if name != "main" => Some(name.to_string()),
        _ => None,
    }
}

/// The seed of the world running on this thread, or `None` outside a world.
pub fn try_seed() -> Option<u64> {
    world::try_current().map(|w| w.seed)
}

#[cfg(test)]
mod tests;
