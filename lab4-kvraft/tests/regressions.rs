//! Bugs the stress runner found, each as a test named after it.

use common::sim;
use lab4_kvraft::tester::Tester;
use std::time::Duration;

/// Found by `scripts/stress_test.sh 200 lab5-shardkv` (test_concurrent3_5b, seed
/// 28113259302985114): a shardkv group restarted as a whole held a committed entry that
/// no replica knew was committed, and since no request ever came to that group, its new
/// leader never committed an entry of its own term, so the entry stayed unapplied and
/// the group stuck. A new leader must commit its predecessors' entries without waiting
/// for requests: the replica proposes a no-op when its peer becomes leader.
#[test]
fn a_restarted_cluster_applies_its_log_without_requests() {
    sim::run(|| async {
        let t = Tester::new(3, false, None);
        let mut client = t.make_client(&t.all());
        t.put(&mut client, "k", "v", 0).await;
        for i in t.all() {
            t.cluster().shutdown_server(i);
        }
        for i in t.all() {
            t.cluster().start_server(i);
        }
        t.cluster().connect_all();
        // No request comes; every replica must still apply the Put again from its log.
        sim::sleep(Duration::from_secs(2)).await;
        for i in t.all() {
            let server = t.cluster().server(i).expect("started");
            let value = server.rsm().with_machine(|m| m.state().get("k"));
            assert_eq!(value, "v", "server {i} did not apply its committed log");
        }
        t.cleanup();
    });
}
