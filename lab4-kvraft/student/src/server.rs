//! [`KvServer`]: one replica of the key/value service (the course's `kvraft/server.go`).
//!
//! Each replica runs a Raft peer ([`lab3_raft::Raft`]) and a key/value state machine fed
//! by what Raft commits. A handler submits the client's operation to Raft with
//! `Raft::start` and answers only once that very operation has been applied; every
//! replica applies every committed operation, in log order, exactly once per client
//! request. From 4B, a replica hands Raft a snapshot of its state when the persisted
//! Raft state grows near `max_raft_state`, and installs the snapshots Raft delivers.

use crate::rpc::{APPEND, GET, GetArgs, GetReply, PUT, PutAppendArgs, PutAppendReply, SERVICE};
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use lab3_raft::Raft;
use std::sync::Arc;

/// A key/value server. Cloning gives another handle to the same replica: each handler
/// holds a clone.
#[derive(Clone)]
pub struct KvServer {
    // Lab 4A: your Raft peer, your state, what your tasks share.
}

impl KvServer {
    /// The course's `StartKVServer`: replica `me` of the servers whose Raft ends are
    /// `servers`, restored from `persister`, snapshotting when the persisted Raft state
    /// reaches `max_raft_state` bytes (never if `None`; 4B). Makes its Raft peer with
    /// `Raft::new(servers, me, persister, apply_tx)` and a `tokio::sync::mpsc::channel(1)`,
    /// starts the task that reads the apply channel, and returns at once. Called by the
    /// tester on every start and restart.
    pub fn start(
        _servers: Vec<ClientEnd>,
        _me: usize,
        _persister: Arc<dyn Persister>,
        _max_raft_state: Option<usize>,
    ) -> KvServer {
        todo!("Lab 4A: KvServer::start")
    }

    /// The services the tester adds to this replica's RPC server: `KVServer` (the
    /// handlers below) and its Raft peer's.
    pub fn services(&self) -> Vec<Service> {
        let (get, put, append) = (self.clone(), self.clone(), self.clone());
        let kv = Service::new(SERVICE)
            .handle(GET, move |args| {
                let server = get.clone();
                async move { server.get(args).await }
            })
            .handle(PUT, move |args| {
                let server = put.clone();
                async move { server.put(args).await }
            })
            .handle(APPEND, move |args| {
                let server = append.clone();
                async move { server.append(args).await }
            });
        vec![kv, self.raft().service()]
    }

    /// `Get`: answers the key's value once a Get submitted through Raft has been applied,
    /// or an error if this replica cannot (not the leader, or lost leadership meanwhile).
    async fn get(&self, _args: GetArgs) -> GetReply {
        todo!("Lab 4A: KvServer::get")
    }

    /// `Put`: answers once the Put is applied (a retried Put takes effect once).
    async fn put(&self, _args: PutAppendArgs) -> PutAppendReply {
        todo!("Lab 4A: KvServer::put")
    }

    /// `Append`: answers once the Append is applied (a retried Append takes effect once).
    async fn append(&self, _args: PutAppendArgs) -> PutAppendReply {
        todo!("Lab 4A: KvServer::append")
    }

    /// This replica's Raft peer. The tester asks it who leads and how large its state is.
    pub fn raft(&self) -> &Raft {
        todo!("Lab 4A: KvServer::raft")
    }

    /// Stops the replica and its Raft peer (a crash, to the tester): its tasks end, and it
    /// answers and applies nothing more.
    pub fn kill(&self) {
        todo!("Lab 4A: KvServer::kill")
    }
}
