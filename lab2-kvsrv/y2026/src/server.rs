//! [`KvServer`]: key -> (value, version), nothing else. A Put applies only at the key's
//! version (0 creates the key), which is all a retried Put needs: no per-clerk table.

use common::kvtest::rpc::{
    GET, GetArgs, GetReply, KvErr, PUT, PutArgs, PutReply, SERVICE, Tversion,
};
use common::labrpc::Service;
use common::tester1::Daemon;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The key/value server. Cloning gives another handle to the same server.
#[derive(Clone, Default)]
pub struct KvServer {
    /// Looked up by key only, never iterated: a hash map keeps the test deterministic.
    map: Arc<Mutex<HashMap<String, (String, Tversion)>>>,
}

impl KvServer {
    /// An empty server (`MakeKVServer`).
    pub fn new() -> KvServer {
        KvServer::default()
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, (String, Tversion)>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Get`: the key's value and version, or `ErrNoKey`.
    pub fn get(&self, args: &GetArgs) -> GetReply {
        match self.map().get(&args.key) {
            Some((value, version)) => GetReply {
                value: value.clone(),
                version: *version,
                err: KvErr::Ok,
            },
            None => GetReply {
                value: String::new(),
                version: 0,
                err: KvErr::ErrNoKey,
            },
        }
    }

    /// `Put`: applies at the key's version (a missing key has version 0), else
    /// `ErrVersion`, or `ErrNoKey` for a missing key and a version above 0.
    pub fn put(&self, args: PutArgs) -> PutReply {
        let mut map = self.map();
        let err = match map.get_mut(&args.key) {
            Some((value, version)) if *version == args.version => {
                *value = args.value;
                *version += 1;
                KvErr::Ok
            }
            Some(_) => KvErr::ErrVersion,
            None if args.version == 0 => {
                map.insert(args.key, (args.value, 1));
                KvErr::Ok
            }
            None => KvErr::ErrNoKey,
        };
        PutReply { err }
    }

    /// The `KVServer` service.
    pub fn service(&self) -> Service {
        let (get, put) = (self.clone(), self.clone());
        Service::new(SERVICE)
            .handle(GET, move |args| std::future::ready(get.get(&args)))
            .handle(PUT, move |args| std::future::ready(put.put(args)))
    }
}

impl Daemon for KvServer {
    fn services(&self) -> Vec<Service> {
        vec![self.service()]
    }
}
