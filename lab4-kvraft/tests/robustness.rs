//! Bad persisted state: a replica whose snapshot or Raft state does not decode, or whose
//! snapshot is not the one Raft's log continues from, refuses to start (an error, or a
//! stopped server), never panics and never starts empty, which could lose committed
//! writes. A snapshot from the leader that cannot be installed stops the replica.

use common::labrpc::Network;
use common::persister::{MemPersister, Persister};
use common::sim;
use lab3_raft::core::log::{Log, LogId};
use lab3_raft::core::messages::InstallSnapshotArgs;
use lab3_raft::core::{Config, Core, Durable};
use lab3_raft::persist::Saver;
use lab3_raft::rpc::INSTALL_SNAPSHOT;
use lab4_kvraft::KvServer;
use lab4_kvraft::machine::KvMachine;
use lab4_kvraft::rsm::{Rsm, StartError};
use lab4_kvraft::tester::{Tester, server_name};
use std::sync::Arc;
use std::time::Duration;

fn ends(net: &Network, n: usize) -> Vec<common::labrpc::ClientEnd> {
    (0..n).map(|i| net.make_end(&format!("end-{i}"))).collect()
}

#[test]
fn a_snapshot_that_does_not_decode_is_an_error() {
    sim::run(|| async {
        let net = Network::new();
        let persister = MemPersister::new();
        persister.save(Vec::new(), Arc::from(vec![0xff; 7]));
        let started = Rsm::try_start(
            ends(&net, 3),
            0,
            Arc::new(persister),
            None,
            KvMachine::new(),
        );
        assert!(matches!(started, Err((StartError::Snapshot(_), _))));
    });
}

#[test]
fn a_raft_state_that_does_not_decode_is_an_error() {
    sim::run(|| async {
        let net = Network::new();
        let persister = MemPersister::new();
        persister.save(vec![0xff; 5], Arc::from(Vec::new()));
        let started = Rsm::try_start(
            ends(&net, 3),
            0,
            Arc::new(persister),
            None,
            KvMachine::new(),
        );
        assert!(matches!(started, Err((StartError::Raft(_), _))));
    });
}

#[test]
fn a_server_that_cannot_restore_stays_stopped() {
    sim::run(|| async {
        let net = Network::new();
        let persister = MemPersister::new();
        persister.save(Vec::new(), Arc::from(&b"not a snapshot"[..]));
        let server = KvServer::start(ends(&net, 3), 1, Arc::new(persister), Some(1000));
        assert!(server.rsm().killed());
        assert!(server.raft().killed());
        assert_eq!(server.raft().start(b"x".to_vec()), None);
    });
}

/// The Raft state of peer 0 of 3 whose log was compacted through `index` (term 1), with
/// no entry after it.
fn raft_state_compacted_at(index: u64) -> Vec<u8> {
    let log = Log::from_parts(LogId::new(index, 1), Vec::new()).expect("a valid log");
    let durable = Durable {
        current_term: 1,
        voted_for: None,
        log,
    };
    let core = Core::restore(0, 3, Config::default(), 1, durable, Vec::new());
    Saver::new().encode(&core).concat()
}

fn start_with(raft_state: Vec<u8>, snapshot: Vec<u8>) -> Result<(), StartError> {
    let net = Network::new();
    let persister = MemPersister::new();
    persister.save(raft_state, Arc::from(snapshot));
    match Rsm::try_start(
        ends(&net, 3),
        0,
        Arc::new(persister),
        None,
        KvMachine::new(),
    ) {
        Ok(rsm) => {
            rsm.kill();
            Ok(())
        }
        Err((e, _)) => Err(e),
    }
}

/// A log compacted through 5 with no snapshot beside it: commands 1-5 are nowhere. Before,
/// the replica started empty and failed an assertion at the first apply ("Raft applied
/// index 6 after 0").
#[test]
fn a_compacted_log_without_its_snapshot_is_an_error() {
    sim::run(|| async {
        let started = start_with(raft_state_compacted_at(5), Vec::new());
        assert!(
            matches!(
                started,
                Err(StartError::Mismatch {
                    snapshot: 0,
                    raft: 5
                })
            ),
            "{started:?}"
        );
    });
}

/// A snapshot that claims more than Raft's log was compacted through. Before, the replica
/// started and silently skipped commands 6 to 50 as already applied.
#[test]
fn a_snapshot_ahead_of_the_log_is_an_error() {
    sim::run(|| async {
        // The snapshot's layout: the last applied index, then the machine.
        let snapshot = lab4_kvraft::rsm::snapshot_bytes(50, &KvMachine::new());
        let started = start_with(raft_state_compacted_at(5), snapshot);
        assert!(
            matches!(
                started,
                Err(StartError::Mismatch {
                    snapshot: 50,
                    raft: 5
                })
            ),
            "{started:?}"
        );
        let message = started.expect_err("refused").to_string();
        assert!(message.contains("through index 50"), "{message}");
    });
}

/// The same pair, matched, starts.
#[test]
fn a_snapshot_matching_the_log_starts() {
    sim::run(|| async {
        let snapshot = lab4_kvraft::rsm::snapshot_bytes(5, &KvMachine::new());
        let started = start_with(raft_state_compacted_at(5), snapshot);
        assert!(started.is_ok(), "{started:?}");
    });
}

/// An InstallSnapshot whose data does not decode: Raft has dropped its log for it, so the
/// replica cannot go on applying; it stops, and in simulation (where only a bug sends
/// one) the world fails, naming it. Before, the snapshot was ignored and the next apply
/// failed an assertion, or nothing was noticed at all.
#[test]
fn an_undecodable_installed_snapshot_stops_the_replica() {
    let failure = sim::Builder::new()
        .seed(1)
        .try_run(|| async {
            let t = Tester::new(3, false, None);
            let mut client = t.make_client(&t.all());
            t.put(&mut client, "k", "v", 0).await;
            let leader = t.cluster().leader().expect("a leader");
            let follower = (leader + 1) % 3;
            let end = t.net().make_end("impostor");
            t.net().connect("impostor", &server_name(follower));
            t.net().enable("impostor", true);
            let (term, _) = t.cluster().server(leader).expect("up").raft().get_state();
            let _ = end
                .call(
                    INSTALL_SNAPSHOT,
                    &InstallSnapshotArgs {
                        term: term + 1,
                        leader_id: leader,
                        last_included_index: 100,
                        last_included_term: term + 1,
                        data: b"not a snapshot".to_vec(),
                    },
                )
                .await;
            sim::sleep(Duration::from_secs(1)).await;
        })
        .expect_err("the world fails");
    assert!(
        failure
            .message
            .contains("the snapshot through 100 does not decode"),
        "{}",
        failure.message
    );
}
