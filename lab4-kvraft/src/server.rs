//! [`KvServer`]: one replica of the key/value service: a [`KvMachine`] driven by an
//! [`Rsm`], and the `KVServer` RPC service that submits each client operation to it.

use crate::machine::{KvCommand, KvMachine};
use crate::rpc::{APPEND, GET, GetArgs, GetReply, PUT, PutAppendArgs, PutAppendReply, SERVICE};
use crate::rsm::Rsm;
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use lab2_kvsrv::kv_state::Write;
use lab3_raft::Raft;
use std::sync::Arc;

/// A key/value server. Cloning gives another handle to the same replica.
#[derive(Clone)]
pub struct KvServer {
    rsm: Rsm<KvMachine>,
}

impl KvServer {
    /// The course's `StartKVServer`: replica `me` of the servers whose Raft ends are
    /// `servers`, restored from `persister`, snapshotting when the persisted Raft state
    /// reaches `max_raft_state` bytes (never if `None`). Spawns its tasks on the current
    /// runtime and returns at once.
    pub fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
    ) -> KvServer {
        KvServer {
            rsm: Rsm::start(servers, me, persister, max_raft_state, KvMachine::new()),
        }
    }

    /// The services to add to this replica's labrpc server: `KVServer` and `Raft`.
    pub fn services(&self) -> Vec<Service> {
        let (get, put, append) = (self.clone(), self.clone(), self.clone());
        let kv = Service::new(SERVICE)
            .handle(GET, move |args| {
                let server = get.clone();
                async move { server.get(args).await }
            })
            .handle(PUT, move |args| {
                let server = put.clone();
                async move { server.write(Write::Put, args).await }
            })
            .handle(APPEND, move |args| {
                let server = append.clone();
                async move { server.write(Write::Append, args).await }
            });
        vec![kv, self.raft().service()]
    }

    async fn get(&self, args: GetArgs) -> GetReply {
        self.rsm.submit(KvCommand::Get { key: args.key }).await
    }

    async fn write(&self, kind: Write, args: PutAppendArgs) -> PutAppendReply {
        let command = KvCommand::write(kind, args);
        self.rsm.submit(command).await.map(|_| ())
    }

    /// This replica's Raft peer.
    pub fn raft(&self) -> &Raft {
        self.rsm.raft()
    }

    /// The replicated state machine (for tests).
    pub fn rsm(&self) -> &Rsm<KvMachine> {
        &self.rsm
    }

    /// Stops the replica and its Raft peer.
    pub fn kill(&self) {
        self.rsm.kill();
    }
}
