//! [`Clerk`]: the client library (the course's `kvraft1/client.go`). The tests call its
//! `get` and `put` through the `KvClerk` trait; each keeps trying servers until one
//! that leads answers.

use common::kvtest::KvClerk;
use common::kvtest::rpc::{KvErr, Tversion};
use common::tester1::Clnt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A client of the replicated [`crate::KvServer`]s (`MakeClerk(clnt, servers)`). Send an
/// RPC with `self.clnt.call(&self.servers[i], GET, &args).await`. A Put resent (to any
/// server) that then hears `ErrVersion` answers `ErrMaybe`, as in Lab 2.
#[allow(dead_code)] // Lab 4B: the fields are yours to use and to add to.
pub struct Clerk {
    clnt: Clnt,
    servers: Vec<String>,
    /// The server that last answered as leader (the course's `leader`).
    leader: AtomicUsize,
}

impl Clerk {
    /// A clerk of the servers named `servers`, in server order. Called by the tester.
    pub fn new(clnt: Clnt, servers: Vec<String>) -> Clerk {
        Clerk {
            clnt,
            servers,
            leader: AtomicUsize::new(0),
        }
    }

    /// The server that last answered as leader (`Leader()`). Called by the tests.
    pub fn leader(&self) -> usize {
        self.leader.load(Ordering::Relaxed)
    }
}

impl KvClerk for Clerk {
    async fn get(&self, _key: &str) -> (String, Tversion, KvErr) {
        todo!("Lab 4B: Clerk::get")
    }

    async fn put(&self, _key: &str, _value: &str, _version: Tversion) -> KvErr {
        todo!("Lab 4B: Clerk::put")
    }
}
