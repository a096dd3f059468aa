//! [`KvServer`]: one replica's `KVServer` service: each Get and Put is submitted to the
//! rsm and answered with what the machine returned, or `ErrWrongLeader`.

use crate::machine::{KvMachine, KvOp, KvRep};
use crate::rsm::Rsm;
use common::kvtest::rpc::{GET, GetReply, KvErr, PUT, PutReply, SERVICE};
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
    /// Starts replica `me` (`StartKVServer`).
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

    /// Its Raft peer.
    pub fn raft(&self) -> &Raft {
        self.rsm.raft()
    }

    /// The `KVServer` service.
    pub fn service(&self) -> Service {
        let (get, put) = (self.rsm.clone(), self.rsm.clone());
        Service::new(SERVICE)
            .handle(GET, move |args| {
                let rsm = get.clone();
                async move {
                    match rsm.submit(KvOp::Get(args)).await {
                        Ok(KvRep::Get(reply)) => reply,
                        Ok(KvRep::Put(_)) | Err(_) => GetReply {
                            value: String::new(),
                            version: 0,
                            err: KvErr::ErrWrongLeader,
                        },
                    }
                }
            })
            .handle(PUT, move |args| {
                let rsm = put.clone();
                async move {
                    match rsm.submit(KvOp::Put(args)).await {
                        Ok(KvRep::Put(reply)) => reply,
                        Ok(KvRep::Get(_)) | Err(_) => PutReply {
                            err: KvErr::ErrWrongLeader,
                        },
                    }
                }
            })
    }
}

impl Daemon for KvServer {
    fn services(&self) -> Vec<Service> {
        vec![self.service(), self.rsm.raft().service()]
    }
}
