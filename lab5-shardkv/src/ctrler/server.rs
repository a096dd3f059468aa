//! [`ShardCtrler`]: one replica of the shard controller: a [`CtrlerMachine`] driven by
//! Lab 4's [`Rsm`], and the `ShardCtrler` RPC service. Queries go through the log too, so
//! a controller cut off in a minority never answers with a stale configuration.

use crate::config::Config;
use crate::ctrler::machine::{Change, CtrlerCommand, CtrlerMachine};
use common::labrpc::{ClientEnd, Rpc, Service};
use common::persister::Persister;
use lab3_raft::Raft;
use lab4_kvraft::rsm::{Rsm, SubmitError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The service name, as in the course.
pub const SERVICE: &str = "ShardCtrler";

/// `ShardCtrler.Query`: a configuration.
pub const QUERY: Rpc<QueryArgs, Result<Config, SubmitError>> = Rpc::new(SERVICE, "Query");

/// `ShardCtrler.Change`: a Join, Leave or Move.
pub const CHANGE: Rpc<ChangeArgs, Result<(), SubmitError>> = Rpc::new(SERVICE, "Change");

/// Arguments of `ShardCtrler.Query`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryArgs {
    /// The configuration wanted (-1: the latest).
    pub num: i64,
}

/// Arguments of `ShardCtrler.Change` (the course's Join, Leave and Move).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeArgs {
    /// What changes.
    pub change: Change,
    /// The clerk.
    pub client_id: u64,
    /// The clerk's write number.
    pub seq: u64,
}

/// A controller replica. Cloning gives another handle to it.
#[derive(Clone)]
pub struct ShardCtrler {
    rsm: Rsm<CtrlerMachine>,
}

impl ShardCtrler {
    /// The course's `StartServer`: controller replica `me` of `servers`, restored from
    /// `persister`. The controller never snapshots (its state is small).
    pub fn start(servers: Vec<ClientEnd>, me: usize, persister: Arc<dyn Persister>) -> ShardCtrler {
        ShardCtrler {
            rsm: Rsm::start(servers, me, persister, None, CtrlerMachine::new()),
        }
    }

    /// The services to register: `ShardCtrler` and `Raft`.
    pub fn services(&self) -> Vec<Service> {
        let (query, change) = (self.clone(), self.clone());
        let service = Service::new(SERVICE)
            .handle(QUERY, move |args| {
                let rsm = query.rsm.clone();
                async move { rsm.submit(CtrlerCommand::Query { num: args.num }).await }
            })
            .handle(CHANGE, move |args| {
                let rsm = change.rsm.clone();
                async move {
                    let command = CtrlerCommand::Change {
                        change: args.change,
                        client_id: args.client_id,
                        seq: args.seq,
                    };
                    rsm.submit(command).await.map(|_: Config| ())
                }
            });
        vec![service, self.raft().service()]
    }

    /// Its Raft peer.
    pub fn raft(&self) -> &Raft {
        self.rsm.raft()
    }

    /// Stops it.
    pub fn kill(&self) {
        self.rsm.kill();
    }
}

/// Reply of `ShardCtrler.Query`.
pub type QueryReply = Result<Config, SubmitError>;
