//! The 2026 course's `kvsrv1/lock` tests.

use common::kvtest::rpc::KvErr;
use common::kvtest::{ClntRes, KvClerk, rand_value};
use common::sim;
use lab2_kvsrv_2026::Lock;
use lab2_kvsrv_2026::tester::TestKv;
use std::sync::Arc;
use std::time::Duration;

/// Clients of the many-clients tests, and how long they run (the course's NCLNT, NSEC).
const NCLNT: usize = 10;
const NSEC: Duration = Duration::from_secs(2);

/// The course's `TestReliableBasic`.
#[test]
fn test_reliable_basic() {
    sim::run(|| async {
        let t = TestKv::new(true);
        t.begin("Test: a single Acquire and Release");
        let ck = Arc::new(t.ts.make_clerk());
        let lk = Lock::new(ck, &rand_value(12));
        lk.acquire().await;
        lk.release().await;
        t.cleanup();
    });
}

/// The course's `TestReliableNested`: two locks of one clerk are independent.
#[test]
fn test_reliable_nested() {
    sim::run(|| async {
        let t = TestKv::new(true);
        t.begin("Test: one client, two locks");
        let (name1, name2) = (rand_value(12), rand_value(12));
        let ck = Arc::new(t.ts.make_clerk());
        let lk1 = Lock::new(ck.clone(), &name1);
        let lk2 = Lock::new(ck, &name2);
        lk1.acquire().await;
        lk2.acquire().await;
        lk2.release().await;
        lk1.release().await;

        lk2.acquire().await;
        lk1.acquire().await;
        lk1.release().await;
        lk1.acquire().await;
        lk2.release().await;
        lk1.release().await;
        t.cleanup();
    });
}

/// The course's `oneClient`: takes lock 1, checks that `l0` is free, marks it, waits,
/// frees it, releases; until told to stop.
async fn one_client(
    me: u64,
    ck: Arc<impl KvClerk>,
    done: common::kvtest::Stop,
    name1: &str,
    name2: &str,
) -> ClntRes {
    let lk1 = Lock::new(ck.clone(), name1);
    let lk2 = Lock::new(ck.clone(), name2);
    lk1.acquire().await;
    lk2.acquire().await;
    lk1.release().await;
    lk2.release().await;

    let _ = ck.put("l0", "", 0).await;
    let mut i = 1;
    loop {
        if done.stopped() {
            return ClntRes { nok: i, nmaybe: 0 };
        }
        lk1.acquire().await;
        let b = me.to_string();
        let (val, ver, err) = ck.get("l0").await;
        if err == KvErr::Ok {
            assert!(val.is_empty(), "{me}: two clients acquired lock {val}");
        } else {
            panic!("{me}: get failed {err}");
        }
        let err = ck.put("l0", &b, ver).await;
        assert!(
            matches!(err, KvErr::Ok | KvErr::ErrMaybe),
            "{me}: put failed {err}"
        );
        sim::sleep(Duration::from_millis(10)).await;
        let err = ck.put("l0", "", ver + 1).await;
        assert!(
            matches!(err, KvErr::Ok | KvErr::ErrMaybe),
            "{me}: put failed {err}"
        );
        lk1.release().await;
        i += 1;
    }
}

/// The course's `runClients(nclnt, reliable)`.
fn run_clients(nclnt: usize, reliable: bool) {
    sim::run(move || async move {
        let t = TestKv::new(reliable);
        t.begin(&format!("Test: {nclnt} lock clients"));
        let names: Arc<(String, String)> = Arc::new((rand_value(12), rand_value(12)));
        t.ts.spawn_clients_and_wait(nclnt, NSEC, move |_ts, me, ck, done| {
            let names = names.clone();
            async move { one_client(me, Arc::new(ck), done, &names.0, &names.1).await }
        })
        .await;
        t.cleanup();
    });
}

/// The course's `TestOneClientReliable`.
#[test]
fn test_one_client_reliable() {
    run_clients(1, true);
}

/// The course's `TestManyClientsReliable`.
#[test]
fn test_many_clients_reliable() {
    run_clients(NCLNT, true);
}

/// The course's `TestOneClientUnreliable`.
#[test]
fn test_one_client_unreliable() {
    run_clients(1, false);
}

/// The course's `TestManyClientsUnreliable`.
#[test]
fn test_many_clients_unreliable() {
    run_clients(NCLNT, false);
}
