//! What every task of a world is waiting on, for the report of a world that stopped.
//!
//! A deadlock in a simulated world shows only as silence: every task waits and no timer
//! is due. To say *why*, the world keeps a table of the tasks started through
//! [`super::spawn`] (where each was spawned, for which server) and of the named wait
//! points each is inside ([`super::waiting`]: an RPC, a handler, an apply channel), plus
//! the probes testers register ([`super::report_state`]: how full an apply channel is).
//! When a world deadlocks or runs out of time, [`report`] lays that out, one line per
//! kind of task. Tasks spawned with plain `tokio::spawn` (a student's, say) are counted,
//! but Tokio cannot say where they wait.

use super::world::{World, lock};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use tokio::task::AbortHandle;
use tokio::time::Instant;

/// How many lines of tasks a report shows at most.
const MOST_LINES: usize = 40;

/// What a task waits on. The common kinds name themselves without allocating: they are
/// entered on every RPC. Sleeps are not wait points (a world with a sleep pending is not
/// deadlocked, and they are too frequent to track cheaply).
#[derive(Debug, Clone)]
pub(crate) enum Wait {
    /// An RPC `service.method`, through end `end`.
    Rpc {
        service: &'static str,
        method: &'static str,
        end: Arc<str>,
    },
    /// The handler of `service.method`, running for a caller.
    Handler {
        service: &'static str,
        method: &'static str,
    },
    /// A wait point named by the code that waits.
    Named(Cow<'static, str>),
}

/// One task's entry: who it is, and the wait points it is inside, outermost first, each
/// with when it began.
pub(crate) struct TaskCell {
    /// A name for a task that is not an ordinary spawned one (the test body).
    name: Option<&'static str>,
    spawned_at: &'static Location<'static>,
    /// The server it belongs to, if it was spawned while one was being started.
    owner: Option<Arc<str>>,
    waits: Mutex<Vec<(Wait, Instant)>>,
    /// How to stop it, set once it is spawned: a server killed abruptly stops every task
    /// it owns ([`abort_owned_by`]).
    abort: OnceLock<AbortHandle>,
}

/// A probe of some state a tester can see (an apply channel's fill): `None` once the
/// thing it looks at is gone.
type Probe = Box<dyn Fn() -> Option<String> + Send + Sync>;

/// The world's table of tasks and probes.
#[derive(Default)]
pub(crate) struct Tasks {
    next_id: u64,
    live: BTreeMap<u64, Arc<TaskCell>>,
    probes: Vec<Probe>,
}

thread_local! {
    /// The tracked task being polled on this thread.
    static CURRENT: RefCell<Option<Arc<TaskCell>>> = const { RefCell::new(None) };
    /// The server being started on this thread (inside [`super::ServerSpan::entered`]).
    static OWNER: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// Sets the server that tasks spawned on this thread belong to, until the guard drops.
pub(crate) fn set_owner(owner: Option<Arc<str>>) -> OwnerGuard {
    let previous = OWNER.with(|o| o.replace(owner));
    OwnerGuard { previous }
}

pub(crate) struct OwnerGuard {
    previous: Option<Arc<str>>,
}

impl Drop for OwnerGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = OWNER.try_with(|o| o.replace(previous));
    }
}

/// A task about to be spawned at `at`, tracked in `world`'s table; it belongs to the server
/// being started on this thread, or else to that of the task that spawns it.
pub(crate) fn track<F>(world: Arc<World>, at: &'static Location<'static>, future: F) -> Tracked<F> {
    let owner = OWNER
        .with(|o| o.borrow().clone())
        .or_else(|| CURRENT.with(|c| c.borrow().as_ref().and_then(|cell| cell.owner.clone())));
    track_as(world, at, owner, None, future)
}

/// As [`track`], for a task of server `owner`; `name` names a task that was not spawned
/// (the test body).
pub(crate) fn track_as<F>(
    world: Arc<World>,
    at: &'static Location<'static>,
    owner: Option<Arc<str>>,
    name: Option<&'static str>,
    future: F,
) -> Tracked<F> {
    let cell = Arc::new(TaskCell {
        name,
        spawned_at: at,
        owner,
        // A task seldom nests more than two named waits.
        waits: Mutex::new(Vec::with_capacity(2)),
        abort: OnceLock::new(),
    });
    let id = {
        let mut tasks = lock(&world.tasks);
        let id = tasks.next_id;
        tasks.next_id += 1;
        tasks.live.insert(id, cell.clone());
        id
    };
    Tracked {
        id,
        world,
        cell: Some(cell),
        future: Box::pin(future),
    }
}

/// A tracked task's future: its entry is the current task's while it is polled, and
/// leaves the table when the task ends or is dropped (aborted, or the world ended).
pub(crate) struct Tracked<F> {
    id: u64,
    world: Arc<World>,
    /// The entry, moved into [`CURRENT`] for the length of a poll (no count changes).
    cell: Option<Arc<TaskCell>>,
    future: Pin<Box<F>>,
}

impl<F> Tracked<F> {
    /// Spawns it on the current runtime; the entry learns how to abort it.
    pub(crate) fn spawn(self) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let cell = self.cell.clone();
        let handle = tokio::spawn(self);
        if let Some(cell) = cell {
            let _ = cell.abort.set(handle.abort_handle());
        }
        handle
    }
}

/// Aborts every task of the world that belongs to one of `owners` (a server's label, or
/// its name on the network for its RPC handlers): the server stops at once, as a process
/// killed with SIGKILL does. Returns how many tasks were stopped.
pub(crate) fn abort_owned_by(world: &World, owners: &[&str]) -> usize {
    let handles: Vec<AbortHandle> = lock(&world.tasks)
        .live
        .values()
        .filter(|cell| cell.owner.as_deref().is_some_and(|o| owners.contains(&o)))
        .filter_map(|cell| cell.abort.get().cloned())
        .collect();
    // Outside the table's lock: an aborted task's entry leaves the table when dropped.
    for handle in &handles {
        handle.abort();
    }
    handles.len()
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mine = self.cell.take();
        let previous = CURRENT.with(|c| c.replace(mine));
        let polled = self.future.as_mut().poll(cx);
        self.cell = CURRENT.with(|c| c.replace(previous));
        polled
    }
}

impl<F> Drop for Tracked<F> {
    fn drop(&mut self) {
        lock(&self.world.tasks).live.remove(&self.id);
    }
}

/// While alive, the current task is inside a wait point.
pub(crate) struct WaitGuard {
    cell: Option<Arc<TaskCell>>,
}

/// Enters wait point `wait` for the task being polled (nothing outside a tracked task).
pub(crate) fn enter(wait: impl FnOnce() -> Wait) -> WaitGuard {
    let cell = CURRENT.with(|c| c.borrow().clone());
    if let Some(cell) = &cell {
        lock(&cell.waits).push((wait(), Instant::now()));
    }
    WaitGuard { cell }
}

impl Drop for WaitGuard {
    fn drop(&mut self) {
        if let Some(cell) = &self.cell {
            lock(&cell.waits).pop();
        }
    }
}

/// Adds a probe to the world's reports.
pub(crate) fn add_probe(world: &World, probe: Probe) {
    lock(&world.tasks).probes.push(probe);
}

/// The report of what every task waits on, at virtual time `now` (for a world that
/// deadlocked or ran out of time). `alive` is how many tasks the runtime has in all.
pub(crate) fn report(world: &World, now: Instant, alive: usize) -> String {
    let start = world.start();
    let secs = |t: Instant| t.saturating_duration_since(start).as_secs_f64();
    let tasks = lock(&world.tasks);
    // One line per kind of task: same server, same spawn site, same waits.
    let mut kinds: BTreeMap<String, (u64, usize, Option<Instant>)> = BTreeMap::new();
    for (&id, task) in &tasks.live {
        let waits = lock(&task.waits);
        let owner = task
            .owner
            .as_deref()
            .map_or(String::new(), |o| format!("[{o}] "));
        let what = if waits.is_empty() {
            "no named wait point (a sleep, a lock, a channel, a Notify...)".to_string()
        } else {
            let names: Vec<String> = waits
                .iter()
                .map(|(w, _)| match w {
                    Wait::Rpc {
                        service,
                        method,
                        end,
                    } => format!("RPC {service}.{method} via end {end}"),
                    Wait::Handler { service, method } => {
                        format!("the handler of {service}.{method}")
                    }
                    Wait::Named(name) => name.to_string(),
                })
                .collect();
            format!("waits on {}", names.join(" > "))
        };
        let (file, line) = (task.spawned_at.file(), task.spawned_at.line());
        let site = match task.name {
            Some(name) => format!("{name} ({file}:{line})"),
            None => format!("task spawned at {file}:{line}"),
        };
        let since = waits.last().map(|(_, t)| *t);
        let key = format!("{owner}{site}: {what}");
        let entry = kinds.entry(key).or_insert((id, 0, since));
        entry.1 += 1;
        entry.2 = match (entry.2, since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let mut lines: Vec<(u64, String)> = kinds
        .into_iter()
        .map(|(key, (first, count, since))| {
            let count = if count > 1 {
                format!(" (x{count})")
            } else {
                String::new()
            };
            let since = since.map_or(String::new(), |t| format!(", since {:.3} s", secs(t)));
            (first, format!("  {key}{since}{count}"))
        })
        .collect();
    lines.sort();
    let mut out = format!(
        "what each task waits on, at virtual time {:.3} s:",
        secs(now)
    );
    for (_, line) in lines.iter().take(MOST_LINES) {
        let _ = write!(out, "\n{line}");
    }
    if lines.len() > MOST_LINES {
        let _ = write!(
            out,
            "\n  ... and {} more kinds of task",
            lines.len() - MOST_LINES
        );
    }
    // The runtime counts the test body's own task too when it has one; ours is not one.
    let untracked = alive.saturating_sub(tasks.live.len().saturating_sub(1));
    if untracked > 0 {
        let _ = write!(
            out,
            "\n  and {untracked} task(s) spawned with tokio::spawn: Tokio cannot say where they \
             wait (sim::spawn names them)"
        );
    }
    let states: Vec<String> = tasks.probes.iter().filter_map(|p| p()).collect();
    if !states.is_empty() {
        out.push_str("\nstate the testers see:");
        for s in states {
            let _ = write!(out, "\n  {s}");
        }
    }
    out
}
