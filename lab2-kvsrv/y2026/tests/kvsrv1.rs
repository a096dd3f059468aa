//! The 2026 course's `kvsrv1` tests (the memory test is in `kvsrv1_mem.rs`, a binary of
//! its own because it counts every byte the process allocates).

use common::kvtest::rpc::KvErr;
use common::kvtest::{ClntRes, KvClerk, MAIN_CLIENT};
use common::sim;
use lab2_kvsrv_2026::tester::TestKv;
use std::time::Duration;

/// The course's `TestReliablePut`.
#[test]
fn test_reliable_put() {
    sim::run(|| async {
        const VAL: &str = "6.5840";
        const VER: u64 = 0;
        let t = TestKv::new(true);
        t.begin("One client and reliable Put");
        let ck = t.ts.make_clerk();
        let err = ck.put("k", VAL, VER).await;
        assert!(err == KvErr::Ok, "Put err {err}");
        let (val, ver, err) = ck.get("k").await;
        assert!(err == KvErr::Ok, "Get err {err}; expected OK");
        assert!(val == VAL, "Get value err {val}; expected {VAL}");
        assert!(
            ver == VER + 1,
            "Get wrong version {ver}; expected {}",
            VER + 1
        );
        let err = ck.put("k", VAL, 0).await;
        assert!(
            err == KvErr::ErrVersion,
            "expected Put to fail with ErrVersion; got err={err}"
        );
        let err = ck.put("y", VAL, VER + 1).await;
        assert!(
            err == KvErr::ErrNoKey,
            "expected Put to fail with ErrNoKey; got err={err}"
        );
        let (_, _, err) = ck.get("y").await;
        assert!(
            err == KvErr::ErrNoKey,
            "expected Get to fail with ErrNoKey; got err={err}"
        );
        t.cleanup();
    });
}

/// The course's `TestPutConcurrentReliable`: 10 clients race to put to one key for 1 s;
/// the key's version must count exactly their OK Puts, and the history must be
/// linearizable.
#[test]
fn test_put_concurrent_reliable() {
    sim::run(|| async {
        const PORCUPINE_TIME: Duration = Duration::from_secs(10);
        const NCLNT: usize = 10;
        const NSEC: Duration = Duration::from_secs(1);
        let t = TestKv::new(true);
        t.begin("Test: many clients racing to put values to the same key");
        let rs =
            t.ts.spawn_clients_and_wait(NCLNT, NSEC, |ts, me, ck, done| async move {
                ts.one_client_put(me, &ck, &["k".to_string()], &done).await
            })
            .await;
        let ck = t.ts.make_clerk();
        let mut res = ClntRes::default();
        t.ts.check_put_concurrent(&ck, "k", &rs, &mut res, t.cfg.is_reliable())
            .await;
        t.ts.check_porcupine_t(PORCUPINE_TIME);
        t.cleanup();
    });
}

/// The course's `TestUnreliableNet`: one client puts over a network that loses requests
/// and replies; a Put must take effect at most once, and the clerk must say `ErrMaybe`
/// when it cannot know.
#[test]
fn test_unreliable_net() {
    sim::run(|| async {
        const NTRY: u64 = 100;
        let t = TestKv::new(false);
        t.begin("One client");
        let ck = t.ts.make_clerk();
        let mut retried = false;
        for try_ in 0..NTRY {
            let mut i = 0u64;
            loop {
                let err = t.ts.put_json(&ck, "k", &i, try_, MAIN_CLIENT).await;
                if err != KvErr::ErrMaybe {
                    if i > 0 && err != KvErr::ErrVersion {
                        panic!("Put shouldn't have happen more than once {err}");
                    }
                    break;
                }
                // Try put again; it should fail with ErrVersion.
                retried = true;
                i += 1;
            }
            let (v, ver): (u64, u64) = t.ts.get_json(&ck, "k", MAIN_CLIENT).await;
            assert!(ver == try_ + 1, "Wrong version {ver} expect {}", try_ + 1);
            assert!(v == 0, "Wrong value {v} expect {}", 0);
        }
        assert!(retried, "Clerk.Put never returned ErrMaybe");
        t.ts.check_porcupine();
        t.cleanup();
    });
}
