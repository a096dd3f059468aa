//! [`Clerk`]: tries the last leader first, then each server in turn, until one answers
//! with something other than `ErrWrongLeader`; between rounds of every server it pauses
//! briefly (an election is probably under way). A Put sent more than once that then hears
//! `ErrVersion` answers `ErrMaybe`: an earlier copy may have applied, through a server
//! that went silent or lost its leadership after proposing it.

use common::kvtest::KvClerk;
use common::kvtest::rpc::{GET, GetArgs, KvErr, PUT, PutArgs, Tversion};
use common::labrpc::{Rpc, RpcError};
use common::sim;
use common::tester1::Clnt;
use lab4_kvraft::rsm::client::ROUND_PAUSE;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A client of the replicated [`crate::KvServer`]s (`MakeClerk(clnt, servers)`).
pub struct Clerk {
    clnt: Clnt,
    servers: Vec<String>,
    /// The server that last answered as leader (the course's `leader`).
    leader: AtomicUsize,
}

impl Clerk {
    /// A clerk of the servers named `servers`, in server order.
    pub fn new(clnt: Clnt, servers: Vec<String>) -> Clerk {
        Clerk {
            clnt,
            servers,
            leader: AtomicUsize::new(0),
        }
    }

    /// The server that last answered as leader (`Leader()`).
    pub fn leader(&self) -> usize {
        self.leader.load(Ordering::Relaxed)
    }

    /// Calls `rpc` on each server in turn from the last leader, until one answers with
    /// `err(reply)` other than `ErrWrongLeader`; `tries` counts the sends.
    async fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        rpc: Rpc<A, R>,
        args: &A,
        err: impl Fn(&R) -> KvErr,
        tries: &mut u32,
    ) -> R {
        let n = self.servers.len();
        let mut server = self.leader();
        loop {
            for _ in 0..n {
                *tries += 1;
                let reply: Result<R, RpcError> =
                    self.clnt.call(&self.servers[server], rpc, args).await;
                match reply {
                    Ok(reply) if err(&reply) != KvErr::ErrWrongLeader => {
                        self.leader.store(server, Ordering::Relaxed);
                        return reply;
                    }
                    Ok(_) => tracing::trace!(server, %rpc, "wrong leader"),
                    Err(e) => tracing::trace!(server, %rpc, error = %e, "no reply"),
                }
                server = (server + 1) % n;
            }
            sim::sleep(ROUND_PAUSE).await;
        }
    }
}

impl KvClerk for Clerk {
    async fn get(&self, key: &str) -> (String, Tversion, KvErr) {
        let args = GetArgs {
            key: key.to_string(),
        };
        let reply = self.call(GET, &args, |r| r.err, &mut 0).await;
        (reply.value, reply.version, reply.err)
    }

    async fn put(&self, key: &str, value: &str, version: Tversion) -> KvErr {
        let args = PutArgs {
            key: key.to_string(),
            value: value.to_string(),
            version,
        };
        let mut tries = 0;
        let reply = self.call(PUT, &args, |r| r.err, &mut tries).await;
        if reply.err == KvErr::ErrVersion && tries > 1 {
            KvErr::ErrMaybe
        } else {
            reply.err
        }
    }
}
