//! Virtual time finer than tokio's timer wheel.
//!
//! Tokio fires timers on whole milliseconds, so a 50 µs `tokio::time::sleep` lasts a full
//! millisecond and every message sent within one millisecond would land on the same tick,
//! in whatever order the wheel keeps. [`sleep`] instead lets tokio carry the clock to the
//! last whole millisecond before the deadline and keeps the rest in the world's
//! [`FineQueue`]. When the runtime is about to park (every task waiting), [`on_idle`]
//! advances the paused clock to the earliest queued deadline, to the nanosecond, and wakes
//! the sleepers due then. Messages therefore arrive at distinct virtual instants, in
//! deadline order, as they would between real threads.
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

/// Sleepers waiting for a deadline inside the current millisecond, earliest first.
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
    let (realtime, start) = world::with(|w| {
        w.touch();
        (w.realtime, w.start())
    });
    if realtime {
        tokio::time::sleep(duration).await;
        return;
    }
    let deadline = Instant::now() + duration;
    let whole_ms = (deadline - start).as_millis() as u64;
    let coarse = start + Duration::from_millis(whole_ms);
    if coarse > Instant::now() {
        tokio::time::sleep_until(coarse).await;
    }
    FineWait { deadline }.await;
    world::with(World::touch);
}

struct FineWait {
    deadline: Instant,
}

impl Future for FineWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
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
pub(crate) fn on_idle(world: &Arc<World>) {
    let now = Instant::now();
    let due: Vec<Waker> = {
        let mut q = lock(&world.fine);
        if world.active.swap(false, MemOrder::Relaxed) {
            *lock(&world.last_active) = Some(now);
        }
        let Some(Reverse(first)) = q.heap.peek() else {
            return;
        };
        let target = first.deadline.max(now);
        let mut due = Vec::new();
        while let Some(Reverse(s)) = q.heap.peek() {
            if s.deadline > target {
                break;
            }
            if let Some(Reverse(s)) = q.heap.pop() {
                due.push(s.waker);
            }
        }
        if target > now {
            // `advance` moves the paused clock synchronously on its first poll; what is
            // left of it is a yield, which we do not need.
            let _ = tokio::time::advance(target - now).now_or_never();
        }
        due
    };
    for waker in due {
        waker.wake();
    }
}
