//! [`KvServer`]: the key/value server (the course's `server.go`).
//!
//! The tester makes one with [`KvServer::new`] and adds [`KvServer::service`] to its RPC
//! server; every RPC then runs the matching handler below. Handlers may run concurrently,
//! one per call in flight, so the state they share needs a lock.

use crate::rpc::{APPEND, GET, GetArgs, PUT, PutAppendArgs, SERVICE};
use common::labrpc::Service;

/// The key/value server. Cloning gives another handle to the same server: each handler
/// holds a clone, so what they share lives behind an `Arc<Mutex<...>>`.
#[derive(Clone, Default)]
pub struct KvServer {
    // Lab 2: your state here.
}

impl KvServer {
    /// An empty server (the course's `StartKVServer`). Called by the tester.
    pub fn new() -> KvServer {
        KvServer {}
    }

    /// The `KVServer` service, to add to a labrpc server: `Get`, `Put` and `Append`, each
    /// running its handler. Called by the tester.
    pub fn service(&self) -> Service {
        let (get, put, append) = (self.clone(), self.clone(), self.clone());
        Service::new(SERVICE)
            .handle(GET, move |args| std::future::ready(get.get(args)))
            .handle(PUT, move |args| {
                put.put(args);
                std::future::ready(())
            })
            .handle(APPEND, move |args| std::future::ready(append.append(args)))
    }

    /// `Get`: the key's value, or `""` if it has none.
    fn get(&self, _args: GetArgs) -> String {
        todo!("Lab 2: KvServer::get")
    }

    /// `Put`: sets the key's value. A request the server has already executed (the clerk
    /// retried because the reply was lost) must not be executed again.
    fn put(&self, _args: PutAppendArgs) {
        todo!("Lab 2: KvServer::put")
    }

    /// `Append`: appends to the key's value and answers the value before. A retried
    /// request gets the answer of the first one, and takes effect once. What the server
    /// remembers for that must stay bounded: the memory tests measure it.
    fn append(&self, _args: PutAppendArgs) -> String {
        todo!("Lab 2: KvServer::append")
    }
}
