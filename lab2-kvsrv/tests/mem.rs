//! The course's Lab 2 memory tests: the server must not keep Get replies, old values of
//! Puts, every Append's reply, or any state for a clerk that only reads.
//!
//! The course reads Go's heap after a garbage collection. Rust frees memory when its owner
//! goes, so a counting allocator gives the exact number of live bytes at any point. This
//! binary installs one (the `cap` crate's: installing an allocator takes `unsafe`, which
//! the workspace forbids in its own code) and measures the bytes live after a step minus
//! those live before it. The tests take a lock so that they run one at a time: a test
//! running beside them would allocate into their figures.

use cap::Cap;
use common::sim;
use lab2_kvsrv::Clerk;
use lab2_kvsrv::tester::Tester;
use std::alloc::System;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// One memory test at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const MIB: usize = 1 << 20;

fn one_at_a_time() -> MutexGuard<'static, ()> {
    // A failed test poisons the lock; the next one may still run.
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Bytes the process has allocated and not yet freed.
fn live_bytes() -> usize {
    ALLOCATOR.allocated()
}

/// Bytes that became live since `before` (zero if memory was freed).
fn grown_since(before: usize) -> usize {
    live_bytes().saturating_sub(before)
}

/// The course's `randValue(n)`: `n` random letters.
fn random_value(n: usize) -> String {
    sim::random_string(sim::LETTERS, n)
}

/// A limit as the course states it: strictly below a figure, or at most a figure.
#[derive(Debug, Clone, Copy)]
enum Limit {
    Below(usize),
    AtMost(usize),
}

impl Limit {
    fn allows(self, n: usize) -> bool {
        match self {
            Limit::Below(limit) => n < limit,
            Limit::AtMost(limit) => n <= limit,
        }
    }
}

/// The three single-value tests limit the server's growth in whole MiB, as the course
/// compares (`HeapAlloc / MB`).
fn assert_server_mib(grown: usize, limit_mib: Limit) {
    let mib = grown / MIB;
    println!("  server holds {grown} bytes ({mib} MiB; limit {limit_mib:?} MiB)");
    assert!(
        limit_mib.allows(mib),
        "error: server using too much memory: {grown} bytes ({mib} MiB)"
    );
}

/// The many-clients tests limit the server's growth per clerk.
fn assert_per_client(grown: usize, clients: usize, limit_per_client: Limit) {
    let per_client = grown / clients;
    println!("  server grew {grown} bytes: {per_client} bytes per client");
    let total = match limit_per_client {
        Limit::Below(b) => Limit::Below(b * clients),
        Limit::AtMost(b) => Limit::AtMost(b * clients),
    };
    assert!(
        total.allows(grown),
        "error: server using too much memory: {grown} bytes for {clients} clients \
         ({per_client} per client)"
    );
}

/// The course's `TestMemGet2`: two clerks read a 10 MiB value over an unreliable network,
/// then it is overwritten; the server must keep neither the value nor the replies.
#[test]
fn test_mem_get_2() {
    let _one = one_at_a_time();
    sim::run(|| async {
        const MEM: usize = 10;
        let mut tester = Tester::new(true);
        let mut ck0 = tester.make_client();
        let ck1 = tester.make_client();
        tester.begin("Test: memory use get");
        let before = live_bytes();
        {
            let value = random_value(MEM * MIB);
            ck0.put("k", &value).await;
            assert_eq!(ck0.get("k").await.len(), value.len(), "wrong value");
            assert_eq!(ck1.get("k").await.len(), value.len(), "wrong value");
            ck0.put("k", "0").await;
        }
        assert_server_mib(grown_since(before), Limit::Below(MEM));
        tester.end();
    });
}

/// The course's `TestMemPut2`: a 10 MiB value is overwritten by another clerk's Put; the
/// server must not keep the old value.
#[test]
fn test_mem_put_2() {
    let _one = one_at_a_time();
    sim::run(|| async {
        const MEM: usize = 10;
        let mut tester = Tester::new(false);
        tester.begin("Test: memory use put");
        let mut ck0 = tester.make_client();
        let mut ck1 = tester.make_client();
        let before = live_bytes();
        {
            let value = random_value(MEM * MIB);
            ck0.put("k", &value).await;
            ck1.put("k", "").await;
        }
        assert_server_mib(grown_since(before), Limit::Below(MEM));
        tester.end();
    });
}

/// The course's `TestMemAppend2`: two clerks each append 10 MiB. The server holds the
/// 20 MiB value and at most one cached old value of 10 MiB.
#[test]
fn test_mem_append_2() {
    let _one = one_at_a_time();
    sim::run(|| async {
        const MEM: usize = 10;
        let mut tester = Tester::new(false);
        tester.begin("Test: memory use append");
        let mut ck0 = tester.make_client();
        let mut ck1 = tester.make_client();
        let before = live_bytes();
        {
            let value0 = random_value(MEM * MIB);
            ck0.append("k", &value0).await;
            let value1 = random_value(MEM * MIB);
            ck1.append("k", &value1).await;
        }
        assert_server_mib(grown_since(before), Limit::AtMost(3 * MEM));
        tester.end();
    });
}

/// 100,000 clerks, made before the measured step.
fn many_clients(tester: &Tester) -> Vec<Clerk> {
    const NCLIENT: usize = 100_000;
    (0..NCLIENT).map(|_| tester.make_client()).collect()
}

/// The course's `TestMemPutManyClients`: 100,000 clerks each Put once; the duplicate
/// table may cost at most 200 bytes a clerk.
#[test]
fn test_mem_put_many_clients() {
    let _one = one_at_a_time();
    sim::run(|| async {
        const MEM: usize = 1000;
        const PER_CLIENT: usize = 200;
        let mut tester = Tester::new(false);
        let value = random_value(MEM);
        let mut clerks = many_clients(&tester);
        sim::sleep(Duration::from_secs(1)).await;
        tester.begin("Test: memory use many put clients");
        let m0 = live_bytes();
        for clerk in &mut clerks {
            clerk.put("k", &value).await;
        }
        sim::sleep(Duration::from_secs(1)).await;
        assert_per_client(grown_since(m0), clerks.len(), Limit::AtMost(PER_CLIENT));
        for clerk in clerks {
            tester.delete_client(clerk);
        }
        tester.end();
    });
}

/// The course's `TestMemGetManyClients`: 100,000 clerks each Get once; Gets must leave
/// no per-clerk state behind (under 10 bytes a clerk).
#[test]
fn test_mem_get_many_clients() {
    let _one = one_at_a_time();
    sim::run(|| async {
        const PER_CLIENT: usize = 10;
        let mut tester = Tester::new(false);
        tester.begin("Test: memory use many get client");
        let mut ck = tester.make_client();
        ck.put("0", "").await;
        let clerks = many_clients(&tester);
        sim::sleep(Duration::from_secs(1)).await;
        let m0 = live_bytes();
        for clerk in &clerks {
            assert_eq!(clerk.get("0").await, "", "wrong value");
        }
        sim::sleep(Duration::from_secs(1)).await;
        assert_per_client(grown_since(m0), clerks.len(), Limit::Below(PER_CLIENT));
        for clerk in clerks {
            tester.delete_client(clerk);
        }
        tester.end();
    });
}

/// The course's `TestMemManyAppends`: one clerk appends 1000 values of 1000 bytes; the
/// server must not keep every old value it returned. As in the course the limit is on all
/// live bytes, not only on the growth.
#[test]
fn test_mem_many_appends() {
    let _one = one_at_a_time();
    sim::run(|| async {
        const N: usize = 1000;
        const MEM: usize = 1000;
        const LIMIT: usize = 3 * N * MEM;
        let mut tester = Tester::new(false);
        tester.begin("Test: memory use many appends");
        let mut ck = tester.make_client();
        let m0 = live_bytes();
        let value = random_value(MEM);
        for _ in 0..N {
            ck.append("k", &value).await;
        }
        drop(value);
        sim::sleep(Duration::from_secs(1)).await;
        let m1 = live_bytes();
        println!("  m0 {m0} m1 {m1}");
        assert!(
            m1 < LIMIT,
            "error: server using too much memory: {m1} bytes live (limit {LIMIT})"
        );
        tester.end();
    });
}
