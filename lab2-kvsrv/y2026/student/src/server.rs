//! [`KvServer`]: the key/value server (the course's `kvsrv1/server.go`).
//!
//! The tester makes one with [`KvServer::new`] and registers [`KvServer::service`] on its
//! RPC server; every RPC then runs the matching handler below. Handlers may run
//! concurrently, one per call in flight, so the state they share needs a lock.

use common::kvtest::rpc::{GET, GetArgs, GetReply, PUT, PutArgs, PutReply, SERVICE};
use common::labrpc::Service;
use common::tester1::Daemon;

/// The key/value server. Cloning gives another handle to the same server: each handler
/// holds a clone, so what they share lives behind an `Arc<Mutex<...>>`.
#[derive(Clone, Default)]
pub struct KvServer {
    // Lab 2: your state here: for each key, its value and its version. Nothing per
    // client: the memory test allows 10 bytes of server state per clerk.
}

impl KvServer {
    /// An empty server (the course's `MakeKVServer`). Called by the tester.
    pub fn new() -> KvServer {
        KvServer {}
    }

    /// The `KVServer` service, to add to a labrpc server: `Get` and `Put`, each running
    /// its handler. Called by the tester.
    pub fn service(&self) -> Service {
        let (get, put) = (self.clone(), self.clone());
        Service::new(SERVICE)
            .handle(GET, move |args| std::future::ready(get.get(&args)))
            .handle(PUT, move |args| std::future::ready(put.put(args)))
    }

    /// `Get`: the key's value and version, or `ErrNoKey`.
    fn get(&self, _args: &GetArgs) -> GetReply {
        todo!("Lab 2: KvServer::get")
    }

    /// `Put`: applies only if `args.version` is the key's version (then the version goes
    /// up by one); a missing key is created by a Put at version 0 (its version becomes 1).
    /// Otherwise `ErrVersion`, or `ErrNoKey` for a missing key and a version above 0.
    fn put(&self, _args: PutArgs) -> PutReply {
        todo!("Lab 2: KvServer::put")
    }
}

impl Daemon for KvServer {
    fn services(&self) -> Vec<Service> {
        vec![self.service()]
    }
}
