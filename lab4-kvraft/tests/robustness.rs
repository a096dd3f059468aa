//! Bad persisted state: a replica whose snapshot or Raft state does not decode refuses to
//! start (an error, or a stopped server), never panics and never starts empty, which could
//! lose committed writes.

use common::labrpc::Network;
use common::persister::{MemPersister, Persister};
use common::sim;
use lab4_kvraft::KvServer;
use lab4_kvraft::machine::KvMachine;
use lab4_kvraft::rsm::{Rsm, StartError};
use std::sync::Arc;

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
