//! Virtual time finer than tokio's timer wheel, kept in one queue of the world's own.
//!
//! Tokio fires timers on whole milliseconds, so a 50 µs `tokio::time::sleep` lasts a full
//! millisecond and every message sent within one millisecond would land on the same tick,
//! in whatever order the wheel keeps. [`sleep`] instead queues its deadline, to the
//! nanosecond, in the world's [`FineQueue`]. When the runtime is about to park (every
//! task waiting), [`on_idle`] advances the paused clock to the earliest queued deadline
//! and wakes the sleepers due then, ties in the order they went to sleep. Messages
//! therefore arrive at distinct virtual instants, in deadline order, as they would
//! between real threads; and a sleep costs a heap entry, not a timer in tokio's wheel as
//! well.
//!
//! In real-time mode [`sleep`] is plain `tokio::time::sleep`.

use super::world::{self, World, lock};
use futures::FutureExt;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering as MemOrder;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::time::Instant;

/// Sleepers waiting for their deadlines, earliest first.
#[derive(Default)]
pub(crate) struct FineQueue {
    heap: BinaryHeap<Reverse<Sleeper>>,
    next_seq: u64,
}

struct Sleeper {
    deadline: Instant,
    /// Ties on the deadline wake in registration order, so the order is deterministic.
    seq: u64,
    waker: Waker,
}

impl PartialEq for Sleeper {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Sleeper {}
impl PartialOrd for Sleeper {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Sleeper {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.deadline, self.seq).cmp(&(other.deadline, other.seq))
    }
}

/// Sleeps for `duration` of the world's time.
///
/// # Cancel safety
/// Cancel safe: dropping it only leaves a stale entry that wakes nobody useful.
pub async fn sleep(duration: Duration) {
    if duration.is_zero() {
        return;
    }
    let realtime = world::with(|w| {
        w.touch();
        w.sleeping.fetch_add(1, MemOrder::Relaxed);
        w.realtime
    });
    let _sleeping = SleepingGuard;
    if realtime {
        #[allow(clippy::disallowed_methods)] // this is the one wrapper around it
        tokio::time::sleep(duration).await;
        return;
    }
    FineWait {
        deadline: Instant::now() + duration,
        queued: false,
    }
    .await;
    world::with(World::touch);
}

/// Counts the world's pending sleeps, so a silent world can be told apart from a
/// sleeping one when it reaches its time limit.
struct SleepingGuard;

impl Drop for SleepingGuard {
    fn drop(&mut self) {
        if let Some(w) = world::try_current() {
            w.sleeping.fetch_sub(1, MemOrder::Relaxed);
        }
    }
}

struct FineWait {
    deadline: Instant,
    /// Whether it queued itself already: before that, its deadline is still ahead (it
    /// was set in the future from the clock of this very poll).
    queued: bool,
}

impl Future for FineWait {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.queued && Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        self.queued = true;
        world::with(|w| {
            let mut q = lock(&w.fine);
            let seq = q.next_seq;
            q.next_seq += 1;
            q.heap.push(Reverse(Sleeper {
                deadline: self.deadline,
                seq,
                waker: cx.waker().clone(),
            }));
        });
        Poll::Pending
    }
}

/// Called by the runtime each time it is about to park because no task is ready.
///
/// Advances the clock to the earliest sleeper's deadline and wakes every sleeper due
/// then. With none queued, or the earliest beyond the world's time limit, it does
/// nothing: tokio then advances its paused clock to its own next timer, the watchdog.
pub(crate) fn on_idle(world: &Arc<World>) {
    let now = Instant::now();
    if world.active.swap(false, MemOrder::Relaxed) {
        *lock(&world.last_active) = Some(now);
    }
    let limit_at = world.limit_at.get().copied();
    let (target, due) = {
        let mut q = lock(&world.fine);
        let Some(Reverse(first)) = q.heap.peek() else {
            return;
        };
        let target = first.deadline.max(now);
        if limit_at.is_some_and(|limit| target > limit) {
            return;
        }
        let mut due = Vec::new();
        while q.heap.peek().is_some_and(|Reverse(s)| s.deadline <= target) {
            if let Some(Reverse(s)) = q.heap.pop() {
                due.push(s.waker);
            }
        }
        (target, due)
    };
    if target > now {
        // `advance` moves the paused clock synchronously on its first poll; what is left
        // of it is a yield, which we do not need.
        let _ = tokio::time::advance(target - now).now_or_never();
    }
    for waker in due {
        waker.wake();
    }
}
