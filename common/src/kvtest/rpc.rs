//! The 2026 course's `kvsrv1/rpc` package: the messages of every versioned KV service
//! (Lab 2's kvsrv, Lab 4's kvraft, Lab 5's shard groups) and their one error type.
//!
//! Each key has a version that counts its Puts. A Put names the version it expects and
//! takes effect only if the key still has it, which is what lets a clerk retry a Put
//! without a duplicate table on the server: a retry of a Put that happened finds the
//! version moved on ([`KvErr::ErrVersion`]), and the clerk reports that it may have
//! happened ([`KvErr::ErrMaybe`]).

use crate::labrpc::Rpc;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A key's version: 0 for a key never written, then one more per Put.
pub type Tversion = u64;

/// The course's `rpc.Err`. Shown under the course's names (`OK`, `ErrNoKey`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KvErr {
    /// The operation succeeded: Get found the key, Put matched the version and applied.
    Ok,
    /// Get of a missing key, or Put with a version above 0 on a missing key.
    ErrNoKey,
    /// Put's version is not the key's: the Put surely did not happen.
    ErrVersion,
    /// A clerk's answer only: a resent Put got `ErrVersion`, so an earlier copy may have
    /// applied. With one writer per key it means it did.
    ErrMaybe,
    /// This server does not lead, or lost leadership before the operation committed.
    ErrWrongLeader,
    /// This group does not serve the key's shard in its configuration (Lab 5).
    ErrWrongGroup,
}

impl fmt::Display for KvErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KvErr::Ok => "OK",
            KvErr::ErrNoKey => "ErrNoKey",
            KvErr::ErrVersion => "ErrVersion",
            KvErr::ErrMaybe => "ErrMaybe",
            KvErr::ErrWrongLeader => "ErrWrongLeader",
            KvErr::ErrWrongGroup => "ErrWrongGroup",
        })
    }
}

/// Arguments of `Get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetArgs {
    /// The key to read.
    pub key: String,
}

/// Reply of `Get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetReply {
    /// The value (empty unless `err` is `Ok`).
    pub value: String,
    /// The key's version (0 unless `err` is `Ok`).
    pub version: Tversion,
    /// The outcome.
    pub err: KvErr,
}

/// Arguments of `Put`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutArgs {
    /// The key to write.
    pub key: String,
    /// The new value.
    pub value: String,
    /// The version the key must have for the Put to apply (0: create the key).
    pub version: Tversion,
}

/// Reply of `Put`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutReply {
    /// The outcome.
    pub err: KvErr,
}

/// The service name, as in the course (`KVServer.Get`, `KVServer.Put`).
pub const SERVICE: &str = "KVServer";

/// `KVServer.Get`.
pub const GET: Rpc<GetArgs, GetReply> = Rpc::new(SERVICE, "Get");

/// `KVServer.Put`.
pub const PUT: Rpc<PutArgs, PutReply> = Rpc::new(SERVICE, "Put");
