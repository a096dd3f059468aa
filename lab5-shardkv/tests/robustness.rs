//! Requests from outside the groups: a shardkv server must not let a message that anyone
//! can send destroy what a group holds. Inside the simulation only the cluster talks, so
//! these tests play an impostor; they use the reference's RPCs, so the student workspace
//! does not have them.

use common::sim;
use lab5_shardkv::config::N_SHARDS;
use lab5_shardkv::shardkv::migration::ShardsArgs;
use lab5_shardkv::shardkv::rpc::DELETE_SHARDS;
use lab5_shardkv::shardkv::tester::{GIDS, Keys, SERVERS, Tester};
use std::time::Duration;

/// A DeleteShards from an impostor, naming shards a group offers to a new owner that has
/// not pulled them (its servers are all down): every server of the old owner refuses it,
/// the copies stay, and once the new owner starts, it pulls them and every key still has
/// its value. Before, the old owner's leader deleted them at once, and the new owner
/// waited forever for shards nobody had.
#[test]
fn a_deletion_before_the_new_owner_pulled_is_refused() {
    sim::run(|| async {
        let t = Tester::new(false, None);
        let mut ck = t.make_client(t.ctrlers());
        t.join(0).await;
        let keys = Keys::put(&mut ck, 10, 20).await;
        t.shutdown_group(1);
        t.join(1).await;
        while t.group_configs()[0] < 2 {
            sim::sleep(Duration::from_millis(50)).await;
        }
        let old_owner: Vec<String> = (0..SERVERS)
            .map(|i| format!("server-{}-{i}", GIDS[0]))
            .collect();
        let args = ShardsArgs {
            num: 2,
            shards: (0..N_SHARDS).collect(),
        };
        for end in t.net().make_ends_to(&old_owner) {
            t.net().enable(end.name(), true);
            let reply = end.call(DELETE_SHARDS, &args).await;
            assert!(
                !matches!(reply, Ok(Ok(()))),
                "{}: a deletion nobody confirmed was done",
                end.name()
            );
        }
        t.start_group(1);
        keys.check_all(&mut ck).await;
        t.cleanup();
    });
}
