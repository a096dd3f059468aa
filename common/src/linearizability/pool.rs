//! Checks partitions on a small pool of threads, with a verdict that does not depend on it.
//!
//! Workers take partitions in order. Once partition `k` is found illegal, partitions after
//! `k` are cancelled (they cannot change the verdict), but every partition before `k` is
//! still decided, so the first illegal partition, the one reported, is the same on every
//! run whatever the number of threads or their timing. Each partition has its own budget
//! for the same reason.
//!
//! The checker is plain computation outside the simulated world (a test calls it after its
//! clients stop), so real threads cannot disturb a world's determinism here.

use super::{
    Budget, CheckResult, MAX_WORKERS, Method, Model, Operation, Partition, PartitionVerdict,
    check_partition,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub(super) fn check_partitions<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    partitions: &[Partition],
    budget: Budget,
) -> Vec<PartitionVerdict> {
    let first_illegal = AtomicUsize::new(usize::MAX);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<PartitionVerdict>>> =
        Mutex::new(partitions.iter().map(|_| None).collect());
    let work = || {
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= partitions.len() {
                return;
            }
            if k > first_illegal.load(Ordering::Acquire) {
                continue;
            }
            let cancelled = || k > first_illegal.load(Ordering::Acquire);
            let verdict = check_partition(model, history, &partitions[k], budget, &cancelled);
            if verdict.result == CheckResult::Illegal {
                first_illegal.fetch_min(k, Ordering::AcqRel);
            }
            results.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(verdict);
        }
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_WORKERS)
        .min(partitions.len());
    if workers <= 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(work);
            }
        });
    }
    let first_illegal = first_illegal.into_inner();
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results
        .into_iter()
        .zip(partitions)
        .enumerate()
        .map(|(k, (verdict, p))| match verdict {
            Some(v) if k <= first_illegal => v,
            _ => PartitionVerdict::new(p, CheckResult::Unknown, Method::Skipped),
        })
        .collect()
}
