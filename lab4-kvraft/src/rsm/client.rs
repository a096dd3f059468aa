//! [`Replicas`]: the client side of a service run by an [`crate::rsm::Rsm`] on every
//! server. It remembers which server answered last, and tries the next one whenever a
//! server cannot help (not the leader, timed out, or unreachable), until one applies the
//! request. Lab 4's clerk and Lab 5's controller clerk are built on it.
//!
//! There is no client-side timeout: a server always answers within
//! [`crate::rsm::MAX_WAIT`], and the network fails a call to a server that is gone or cut
//! off.

use crate::rsm::SubmitError;
use common::labrpc::{ClientEnd, Rpc};
use common::sim;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// After every server in turn failed to answer, the client waits this long before the
/// next round: there is probably no leader yet, and an election takes a few hundred
/// milliseconds. Shorter than Raft's heartbeat interval
/// ([`lab3_raft::core::Config::heartbeat`], 150 ms), so a client finds a new leader
/// within about a heartbeat of its election (checked by `timings_fit_together` in
/// [`crate::rsm`]).
pub const ROUND_PAUSE: Duration = Duration::from_millis(40);

/// The ends to a replicated service's servers, in any order, and the last leader.
#[derive(Debug)]
pub struct Replicas {
    servers: Vec<ClientEnd>,
    /// The server that answered last (tried first next time).
    leader: usize,
}

impl Replicas {
    /// A client of the servers behind `servers`.
    ///
    /// # Panics
    /// If `servers` is empty.
    pub fn new(servers: Vec<ClientEnd>) -> Replicas {
        assert!(!servers.is_empty(), "a client needs at least one server");
        Replicas { servers, leader: 0 }
    }

    /// Calls `rpc` with `args`, starting with the last leader, until a server answers
    /// with a result. `who` names the caller in the logs.
    pub async fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        rpc: Rpc<A, Result<R, SubmitError>>,
        args: &A,
        who: u64,
    ) -> R {
        let mut failed_in_a_row = 0;
        loop {
            let reply = self.servers[self.leader].call(rpc, args).await;
            match reply {
                Ok(Ok(value)) => return value,
                Ok(Err(e)) => {
                    tracing::trace!(client = who, server = self.leader, %rpc, error = %e, "try next server");
                }
                Err(e) => {
                    tracing::trace!(client = who, server = self.leader, %rpc, error = %e, "no reply");
                }
            }
            self.leader = (self.leader + 1) % self.servers.len();
            failed_in_a_row += 1;
            if failed_in_a_row % self.servers.len() == 0 {
                sim::sleep(ROUND_PAUSE).await;
            }
        }
    }
}
