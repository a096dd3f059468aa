//! The 2026 course's `TestMemPutManyClientsReliable`: the server must keep no state per
//! clerk (at most 10 bytes per clerk over 20,000 clerks).
//!
//! The course reads the heap of the server's own process. Here the server runs in the
//! test's process, so a counting allocator (the `cap` crate's; installing one takes
//! `unsafe`, which the workspace forbids in its own code) measures every byte the process
//! holds: the server's, and anything the clerks or the network would keep. That can only
//! count more than the server's, never less. The test is alone in its binary, so nothing
//! runs beside it.

use cap::Cap;
use common::kvtest::rpc::KvErr;
use common::kvtest::{KvClerk, rand_value};
use common::sim;
use lab2_kvsrv_2026::tester::TestKv;
use std::alloc::System;
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The course's `MemSize`: bytes the process holds now (the course sleeps 1 s between two
/// garbage collections first; Rust frees at once, so the figure is exact without it).
fn mem_size() -> usize {
    ALLOCATOR.allocated()
}

#[test]
fn test_mem_put_many_clients_reliable() {
    sim::run(|| async {
        const NCLIENT: usize = 20_000;
        const MEM: usize = 1000;
        let t = TestKv::new(true);
        let v = rand_value(MEM);
        let cks: Vec<_> = (0..NCLIENT).map(|_| t.ts.make_clerk()).collect();
        // Force the allocation of each clerk's end.
        for ck in &cks {
            let err = ck.put("k", "", 1).await;
            assert!(err == KvErr::ErrNoKey, "Put failed {err}");
        }
        t.begin("Test: memory use many put clients");
        // Allow threads started by labrpc to finish.
        sim::sleep(Duration::from_secs(1)).await;
        let m0 = mem_size();
        for (i, ck) in cks.iter().enumerate() {
            let err = ck.put("k", &v, i as u64).await;
            assert!(err == KvErr::Ok, "Put failed {err}");
        }
        let m1 = mem_size();
        let f = m1.saturating_sub(m0) as f64 / NCLIENT as f64;
        println!(
            "  the process grew {} bytes ({f:.2} per client)",
            m1.saturating_sub(m0)
        );
        assert!(
            m1 <= m0 + NCLIENT * 10,
            "error: server using too much memory {m0} {m1} ({f:.2} byte per client)"
        );
        t.cleanup();
    });
}
