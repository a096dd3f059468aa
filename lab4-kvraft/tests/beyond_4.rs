//! Beyond the course: black-box tests of the key/value service that the course's 23 tests
//! do not have. They catch classic mistakes the course's tests can let through (each one
//! named in `lab4-kvraft/mutants.txt`, where `scripts/mutants.sh` measures it), through
//! the tester's public API only, so they judge a student's service as they judge ours.
//!
//! Names start with `beyond_` (no course name is taken, and `scripts/grade.sh` reports
//! them apart); each ends with the sub-lab it needs.

use common::sim;
use lab4_kvraft::tester::{ELECTION_TIMEOUT, Tester, check_client_appends, server_name};
use std::sync::Arc;
use std::time::Duration;

/// Waits until some server believes it leads; returns it.
async fn leader(tester: &Tester) -> usize {
    for _ in 0..100 {
        if let Some(i) = tester.cluster().leader() {
            return i;
        }
        sim::sleep(Duration::from_millis(50)).await;
    }
    panic!("no leader within 5 s");
}

/// A write whose reply is lost, retried after every server restarted from its snapshot,
/// must still take effect once: the duplicate table belongs in the snapshot (checklist
/// G15). Each round a clerk that reaches only the leader sends an Append; the moment the
/// request reaches the leader (its RPC count goes up), the clerk is cut off, so the reply
/// is lost while the write commits. With a `maxraftstate` of 1 byte every server
/// snapshots after each write it applies. Then every server restarts, from that snapshot,
/// and the clerk, connected again, retries.
#[test]
fn beyond_retry_after_a_restart_from_a_snapshot_4b() {
    sim::run(|| async {
        const ROUNDS: usize = 10;
        let tester = Arc::new(Tester::new(3, false, Some(1)));
        let all = tester.all();
        tester.begin("Beyond (4B): a write retried after a restart from a snapshot");
        let mut main = tester.make_client(&all);
        tester.put(&mut main, "k", "", 0).await;
        for n in 0..ROUNDS {
            let leader = leader(&tester).await;
            let mut writer = tester.make_client(&[leader]);
            let ends = writer.ends();
            let delivered = tester.net().count(&server_name(leader));
            let task = {
                let tester = tester.clone();
                tokio::spawn(async move {
                    let value = format!("x 1 {n} y");
                    tester.append(&mut writer, "k", &value, 1).await;
                    writer
                })
            };
            // Cut the clerk off as soon as its request is in (the clerk may first try its
            // ends to the other servers, which fail within 100 ms each).
            for waited in 0.. {
                if tester.net().count(&server_name(leader)) != delivered {
                    break;
                }
                assert!(
                    waited < 250_000,
                    "the Append did not reach server {leader} in 5 s"
                );
                sim::sleep(Duration::from_micros(20)).await;
            }
            tester.disconnect_client(&ends, &all);
            // Let the write commit, apply and be snapshotted everywhere.
            sim::sleep(Duration::from_millis(500)).await;
            for &i in &all {
                tester.cluster().shutdown_server(i);
            }
            for &i in &all {
                tester.cluster().start_server(i);
            }
            tester.cluster().connect_all();
            tester.connect_client(&ends, &all);
            let writer = task.await.expect("writer task");
            tester.delete_client(writer);
        }
        let value = tester.get(&mut main, "k", 0).await;
        check_client_appends(1, &value, ROUNDS);
        tester.check_linearizable();
        tester.end();
        tester.cleanup();
    });
}

/// How long a write may take while a majority is up and connected.
const WRITE_LIMIT: Duration = Duration::from_secs(10);

/// A leader cut off in a minority must not answer a Get from its own state (checklist
/// G17): it still believes it leads, but the majority has a new leader that took writes
/// since. Each round the leader and one other server of five are cut off; a write goes
/// through the majority, from a clerk that tries the old leader first and must still
/// complete within 10 s (a server that waits on its entry for ever keeps it); then a
/// clerk that reaches only the old leader reads, and must read that write once the
/// partition heals (never the value from before it).
#[test]
fn beyond_no_read_from_a_deposed_leader_4a() {
    sim::run(|| async {
        const ROUNDS: usize = 5;
        let tester = Arc::new(Tester::new(5, false, None));
        let all = tester.all();
        tester.begin("Beyond (4A): no read from a deposed leader");
        let mut writer = tester.make_client(&all);
        tester.put(&mut writer, "k", "0", 0).await;
        for round in 1..=ROUNDS {
            let old = leader(&tester).await;
            let minority = [old, (old + 1) % all.len()];
            let majority: Vec<usize> = all
                .iter()
                .copied()
                .filter(|i| !minority.contains(i))
                .collect();
            tester.cluster().partition(&majority, &minority);
            let value = round.to_string();
            // The writer's clerk tries the old leader first (the last one that answered
            // it); that server must give up on it and send the clerk on.
            tokio::select! {
                biased;
                () = tester.put(&mut writer, "k", &value, 0) => {}
                () = sim::sleep(WRITE_LIMIT) => panic!(
                    "a Put sent while the old leader {old} was cut off in a minority did not complete in {WRITE_LIMIT:?}: a server must not wait for ever on an entry it cannot commit"
                ),
            }
            let mut reader = tester.make_client(&[old]);
            let ends = reader.ends();
            let read = {
                let tester = tester.clone();
                tokio::spawn(async move {
                    let got = tester.get(&mut reader, "k", 1).await;
                    (got, reader)
                })
            };
            sim::sleep(ELECTION_TIMEOUT).await;
            tester.cluster().connect_all();
            tester.connect_client(&ends, &all);
            let (got, reader) = read.await.expect("reader task");
            assert_eq!(
                got, value,
                "a Get sent to the old leader {old} after Put(k, {value:?}) completed read a stale value"
            );
            tester.delete_client(reader);
        }
        tester.check_linearizable();
        tester.end();
        tester.cleanup();
    });
}
