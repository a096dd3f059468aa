//! [`KvServer`]: the `KVServer` RPC service over one [`KvState`], behind a lock.

use crate::kv_state::KvState;
use common::kvtest::rpc::{GET, PUT, SERVICE};
use common::labrpc::Service;
use common::tester1::Daemon;
use std::sync::{Arc, Mutex, MutexGuard};

/// The key/value server. Cloning gives another handle to the same server.
#[derive(Clone, Default)]
pub struct KvServer {
    state: Arc<Mutex<KvState>>,
}

impl KvServer {
    /// An empty server (`MakeKVServer`).
    pub fn new() -> KvServer {
        KvServer::default()
    }

    fn state(&self) -> MutexGuard<'_, KvState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `KVServer` service.
    pub fn service(&self) -> Service {
        let (get, put) = (self.clone(), self.clone());
        Service::new(SERVICE)
            .handle(GET, move |args| std::future::ready(get.state().get(&args)))
            .handle(PUT, move |args| std::future::ready(put.state().put(args)))
    }
}

impl Daemon for KvServer {
    fn services(&self) -> Vec<Service> {
        vec![self.service()]
    }
}
