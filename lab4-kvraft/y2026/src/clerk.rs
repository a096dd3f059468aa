//! [`Clerk`]: tries the last leader first, then each server in turn, until one answers
//! with something other than `ErrWrongLeader`; between rounds of every server it pauses
//! briefly (an election is probably under way). A Put sent more than once that then hears
//! `ErrVersion` answers `ErrMaybe`: an earlier copy may have applied, through a server
//! that went silent or lost its leadership after proposing it.
//!
//! The calling is [`Replicas`], which Lab 5's shard group clerk shares: it may give up
//! after rounds in which no server answered, where this clerk never does.

use common::kvtest::KvClerk;
use common::kvtest::rpc::{GET, GetArgs, KvErr, PUT, PutArgs, Tversion};
use common::labrpc::{Rpc, RpcError};
use common::sim;
use common::tester1::Clnt;
use lab4_kvraft::rsm::client::ROUND_PAUSE;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The servers of one replicated group, by name, and the one that last answered as
/// leader (the course's `leader`).
pub struct Replicas {
    clnt: Clnt,
    servers: Vec<String>,
    leader: AtomicUsize,
}

impl Replicas {
    /// The servers named `servers`, in server order, called through `clnt`.
    pub fn new(clnt: Clnt, servers: Vec<String>) -> Replicas {
        Replicas {
            clnt,
            servers,
            leader: AtomicUsize::new(0),
        }
    }

    /// The servers' names, in server order.
    pub fn servers(&self) -> &[String] {
        &self.servers
    }

    /// The server that last answered as leader (`Leader()`).
    pub fn leader(&self) -> usize {
        self.leader.load(Ordering::Relaxed)
    }

    /// Calls `rpc` on each server in turn from the last leader, until one answers with
    /// `err(reply)` other than `ErrWrongLeader`; `sends` counts the copies sent. With
    /// `give_up`, `None` after that many rounds in which no server answered at all.
    pub async fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        rpc: Rpc<A, R>,
        args: &A,
        err: impl Fn(&R) -> KvErr,
        sends: &mut u32,
        give_up: Option<u32>,
    ) -> Option<R> {
        let n = self.servers.len();
        let mut server = self.leader();
        let mut silent = 0;
        while give_up.is_none_or(|rounds| silent < rounds) {
            let mut answered = false;
            for _ in 0..n {
                *sends += 1;
                let reply: Result<R, RpcError> =
                    self.clnt.call(&self.servers[server], rpc, args).await;
                match reply {
                    Ok(reply) if err(&reply) != KvErr::ErrWrongLeader => {
                        self.leader.store(server, Ordering::Relaxed);
                        return Some(reply);
                    }
                    Ok(_) => {
                        answered = true;
                        tracing::trace!(server, %rpc, "wrong leader");
                    }
                    Err(e) => tracing::trace!(server, %rpc, error = %e, "no reply"),
                }
                server = (server + 1) % n;
            }
            if !answered {
                silent += 1;
            }
            sim::sleep(ROUND_PAUSE).await;
        }
        tracing::debug!(%rpc, "the group does not answer");
        None
    }
}

/// A client of the replicated [`crate::KvServer`]s (`MakeClerk(clnt, servers)`).
pub struct Clerk {
    replicas: Replicas,
}

impl Clerk {
    /// A clerk of the servers named `servers`, in server order.
    pub fn new(clnt: Clnt, servers: Vec<String>) -> Clerk {
        Clerk {
            replicas: Replicas::new(clnt, servers),
        }
    }

    /// The server that last answered as leader (`Leader()`).
    pub fn leader(&self) -> usize {
        self.replicas.leader()
    }

    /// [`Replicas::call`], never giving up.
    async fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        rpc: Rpc<A, R>,
        args: &A,
        err: impl Fn(&R) -> KvErr,
        sends: &mut u32,
    ) -> R {
        loop {
            if let Some(reply) = self.replicas.call(rpc, args, &err, sends, None).await {
                return reply;
            }
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
        let mut sends = 0;
        let reply = self.call(PUT, &args, |r| r.err, &mut sends).await;
        if reply.err == KvErr::ErrVersion && sends > 1 {
            KvErr::ErrMaybe
        } else {
            reply.err
        }
    }
}
