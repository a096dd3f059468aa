//! [`Clnt`]: a clerk's ends, made lazily by server name (the course's `tester1/clnts.go`).

use crate::labrpc::{ClientEnd, Network, Rpc, RpcError, random_end_name};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// Which servers a client may reach.
#[derive(Debug, Clone)]
enum Allowed {
    All,
    Only(BTreeSet<String>),
}

impl Allowed {
    fn allows(&self, server: &str) -> bool {
        match self {
            Allowed::All => true,
            Allowed::Only(names) => names.contains(server),
        }
    }
}

struct Inner {
    net: Network,
    /// Its end to each server it has called, by server name.
    ends: Mutex<(BTreeMap<String, ClientEnd>, Allowed)>,
}

/// One clerk's view of the network: `call(server, rpc, args)` makes an end to that server
/// on first use (with a random name) and keeps it. Cloning gives another handle to the
/// same client.
#[derive(Clone)]
pub struct Clnt {
    inner: Arc<Inner>,
}

impl Clnt {
    /// A client allowed to reach every server (`MakeClient`), or only `to` (`MakeClientTo`).
    pub(crate) fn new(net: &Network, to: Option<&[String]>) -> Clnt {
        let allowed = match to {
            None => Allowed::All,
            Some(names) => Allowed::Only(names.iter().cloned().collect()),
        };
        Clnt {
            inner: Arc::new(Inner {
                net: net.clone(),
                ends: Mutex::new((BTreeMap::new(), allowed)),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, (BTreeMap<String, ClientEnd>, Allowed)> {
        self.inner.ends.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn end(&self, server: &str) -> ClientEnd {
        let mut guard = self.lock();
        let (ends, allowed) = &mut *guard;
        if let Some(end) = ends.get(server) {
            return end.clone();
        }
        let end = self.inner.net.make_end(&random_end_name());
        self.inner.net.connect(end.name(), server);
        self.inner.net.enable(end.name(), allowed.allows(server));
        ends.insert(server.to_string(), end.clone());
        end
    }

    /// Calls `rpc` on server `server` (`Clnt.Call`): the reply, or why there is none.
    pub async fn call<A, R>(&self, server: &str, rpc: Rpc<A, R>, args: &A) -> Result<R, RpcError>
    where
        A: Serialize,
        R: DeserializeOwned,
    {
        self.end(server).call(rpc, args).await
    }

    /// Enables every end and allows every server from now on (`ConnectAll`).
    pub fn connect_all(&self) {
        let mut guard = self.lock();
        guard.1 = Allowed::All;
        for end in guard.0.values() {
            self.inner.net.enable(end.name(), true);
        }
    }

    /// Allows only the servers in `to` and enables the ends to them (`ConnectTo`).
    pub fn connect_to(&self, to: &[String]) {
        let mut guard = self.lock();
        guard.1 = Allowed::Only(to.iter().cloned().collect());
        let (ends, allowed) = &*guard;
        for (server, end) in ends {
            self.inner.net.enable(end.name(), allowed.allows(server));
        }
    }

    /// Disables the end to `server` (`Disconnect`).
    pub fn disconnect(&self, server: &str) {
        if let Some(end) = self.lock().0.get(server) {
            self.inner.net.enable(end.name(), false);
        }
    }

    /// Disables every end and allows no server from now on (`DisconnectAll`).
    pub fn disconnect_all(&self) {
        let mut guard = self.lock();
        guard.1 = Allowed::Only(BTreeSet::new());
        for end in guard.0.values() {
            self.inner.net.enable(end.name(), false);
        }
    }

    /// Whether `other` is a handle to this same client.
    pub(crate) fn same(&self, other: &Clnt) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Removes its ends from the network (`DeleteClient`).
    pub(crate) fn delete(&self) {
        for end in self.lock().0.values() {
            self.inner.net.delete_end(end.name());
        }
    }
}
