//! The 2026 course's 5C tests: concurrent controllers, and controllers cut off mid-change
//! that come back. All run in the course's "leases" mode (`MakeTestLeases`): the old
//! controller of `partitionCtrler` is reconnected.

use common::sim;
use lab5_shardkv_2026::tester::Test;
use std::time::Duration;

async fn concurrent(reliable: bool) {
    let t = Test::new_leases("Test (5C): Concurrent ctrlers ...", reliable);
    let (_, ck, ka, va) = t.setup_with_keys().await;
    t.concur_ctrler(&ck, &ka, &va).await;
    t.cleanup();
}

#[test]
fn test_concurrent_reliable_5c() {
    sim::run(|| concurrent(true));
}

#[test]
fn test_acquire_lock_concurrent_unreliable_5c() {
    sim::run(|| concurrent(false));
}

#[test]
fn test_partition_controller_join_5c() {
    const NSEC: Duration = Duration::from_secs(1);
    sim::run(|| async {
        let t = Test::new_leases("Test (5C): partition controller in join...", true);
        let (_, ck, ka, va) = t.setup_with_keys().await;
        let (sck, clnt) = t.make_shard_ctrler_clnt();
        sck.init_controller().await;
        let ngid = t.new_gid();
        let join = {
            let (t, sck) = (t.clone(), sck.clone());
            sim::spawn(async move {
                let servers = t.make_group_start(ngid);
                t.group(ngid).shutdown();
                t.join(&sck, ngid, servers).await;
            })
        };
        // Time for the controller to get stuck in the join: the new group is down.
        sim::sleep(NSEC).await;
        clnt.disconnect_all();
        sim::sleep(NSEC).await;
        t.group(ngid).start_servers();
        // A new controller supersedes the cut-off one, and finishes the join.
        let sck0 = t.make_shard_ctrler();
        sck0.init_controller().await;
        let cfg = sck0.query().await;
        assert!(cfg.is_member(ngid), "Didn't recover gid {ngid}");
        // The old controller comes back; it must not undo anything.
        clnt.connect_all();
        sim::waiting("the old controller's join", join)
            .await
            .expect("the old controller's join");
        sim::sleep(Duration::from_secs(1)).await;
        t.check_gets(&ck, &ka, &va).await;
        t.cleanup();
    });
}

async fn partition_recovery(reliable: bool, npart: usize, nclnt: usize) {
    let t = Test::new_leases(
        "Test (5C): controllers with leased leadership ...",
        reliable,
    );
    t.partition_recovery(npart, nclnt).await;
    t.cleanup();
}

#[test]
fn test_partition_recovery_reliable_no_clerk_5c() {
    sim::run(|| partition_recovery(true, 5, 0));
}

#[test]
fn test_partition_recovery_unreliable_no_clerk_5c() {
    sim::run(|| partition_recovery(false, 3, 0));
}

#[test]
fn test_partition_recovery_reliable_clerks_5c() {
    sim::run(|| partition_recovery(true, 5, 5));
}

#[test]
fn test_partition_recovery_unreliable_clerks_5c() {
    sim::run(|| partition_recovery(false, 3, 5));
}
