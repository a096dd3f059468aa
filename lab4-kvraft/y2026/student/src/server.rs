//! [`KvServer`]: one replica of the KV service (the course's `kvraft1/server.go`): each
//! Get and Put is submitted to the rsm, and answered with what the machine returned, or
//! `ErrWrongLeader`.

use crate::machine::KvMachine;
use crate::rsm::Rsm;
use common::kvtest::rpc::{GET, GetArgs, GetReply, PUT, PutArgs, PutReply, SERVICE};
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::tester1::Daemon;
use lab3_raft::Raft;
use std::sync::Arc;

/// One replica of the KV service. Cloning gives another handle to it.
#[derive(Clone)]
pub struct KvServer {
    rsm: Rsm<KvMachine>,
}

impl KvServer {
    /// Starts replica `me` (`StartKVServer`). Called by the tester.
    pub fn start(
        servers: Vec<ClientEnd>,
        me: usize,
        persister: Arc<dyn Persister>,
        max_raft_state: Option<usize>,
    ) -> KvServer {
        KvServer {
            rsm: Rsm::make(servers, me, persister, max_raft_state, KvMachine::default()),
        }
    }

    /// Its Raft peer. Called by the tester.
    pub fn raft(&self) -> &Raft {
        self.rsm.raft()
    }

    /// The `KVServer` service, registered by the tester beside Raft's.
    pub fn service(&self) -> Service {
        let (get, put) = (self.clone(), self.clone());
        Service::new(SERVICE)
            .handle(GET, move |args| {
                let server = get.clone();
                async move { server.get(args).await }
            })
            .handle(PUT, move |args| {
                let server = put.clone();
                async move { server.put(args).await }
            })
    }

    /// `Get`: submits it, and answers what the machine did, or `ErrWrongLeader`.
    async fn get(&self, _args: GetArgs) -> GetReply {
        todo!("Lab 4B: KvServer::get")
    }

    /// `Put`: submits it, and answers what the machine did, or `ErrWrongLeader`.
    async fn put(&self, _args: PutArgs) -> PutReply {
        todo!("Lab 4B: KvServer::put")
    }
}

impl Daemon for KvServer {
    fn services(&self) -> Vec<Service> {
        vec![self.service(), self.rsm.raft().service()]
    }
}
