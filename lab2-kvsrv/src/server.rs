//! [`KvServer`]: the `KVServer` RPC service over the [`KvState`] state machine.

use crate::kv_state::{KvState, Write};
use crate::rpc::{APPEND, GET, PUT, PutAppendArgs, SERVICE};
use common::labrpc::Service;
use std::sync::{Arc, Mutex, MutexGuard};

/// The key/value server. Cloning gives another handle to the same server.
#[derive(Clone)]
pub struct KvServer {
    state: Arc<Mutex<KvState>>,
}

impl Default for KvServer {
    fn default() -> Self {
        KvServer::new()
    }
}

impl KvServer {
    /// An empty server.
    pub fn new() -> KvServer {
        KvServer {
            state: Arc::new(Mutex::new(KvState::append_returns_old())),
        }
    }

    fn state(&self) -> MutexGuard<'_, KvState> {
        // A handler cannot panic while holding the lock; recover the state if one did.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `KVServer` service with `Get`, `Put` and `Append`, to add to a labrpc server.
    pub fn service(&self) -> Service {
        let (get, put, append) = (self.clone(), self.clone(), self.clone());
        Service::new(SERVICE)
            .handle(GET, move |args| {
                let value = get.state().get(&args.key);
                tracing::debug!(key = %args.key, bytes = value.len(), "get");
                std::future::ready(value)
            })
            .handle(PUT, move |args| {
                put.apply(Write::Put, &args);
                std::future::ready(())
            })
            .handle(APPEND, move |args| {
                std::future::ready(append.apply(Write::Append, &args))
            })
    }

    fn apply(&self, kind: Write, args: &PutAppendArgs) -> String {
        tracing::debug!(client = args.client_id, seq = args.seq, key = %args.key, ?kind, "write");
        self.state()
            .write(args.client_id, args.seq, kind, &args.key, &args.value)
    }

    /// Clerks the duplicate table remembers (for tests and curiosity).
    pub fn clients(&self) -> usize {
        self.state().clients()
    }
}
