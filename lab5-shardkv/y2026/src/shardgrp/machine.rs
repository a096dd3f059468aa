//! [`ShardGrpMachine`]: a shard group's replicated state, a pure state machine. For each
//! of the [`N_SHARDS`] shards it keeps what the group holds of it and the newest
//! configuration number it has seen for it; every fencing rule of the shard RPCs is here,
//! so each is a unit test on a plain value.
//!
//! A shard is, at a group, one of:
//! - **serving**: the group answers Gets and Puts for its keys;
//! - **frozen**: a controller has taken its state to move it; the group answers
//!   `ErrWrongGroup` (a Get too: once the copy is installed elsewhere, Puts land there,
//!   and a read here would be stale) but keeps the state until the controller deletes it;
//! - **absent**.
//!
//! A move under configuration `n` is Freeze(n) at the source, Install(n) at the
//! destination, Delete(n) at the source, in that order, by whichever controller makes or
//! finishes the change. A request older than the shard's newest number is refused
//! (`ErrVersion`): its controller was overtaken. A request at the shard's newest number
//! is a repeat, from the controller itself or from a successor finishing its change, and
//! answers as the first did without changing anything: a repeated Install must not bring
//! back a state the group has since changed with Puts, and a Freeze after the Delete
//! finds nothing (`ErrNoKey`), which tells its controller the shard already moved.

use crate::shardcfg::{GID1, N_SHARDS, NUM_FIRST, Tgid, Tnum, Tshid, key2shard};
use crate::shardgrp::rpc::{
    DeleteShardArgs, FreezeShardArgs, FreezeShardReply, InstallShardArgs, ShardReply,
};
use common::codec::{self, CodecError};
use common::kvtest::rpc::{GetArgs, GetReply, KvErr, PutArgs, PutReply};
use lab2_kvsrv_2026::kv_state::KvState;
use lab4_kvraft_2026::rsm::{StateMachine, decode_machine, encode_machine};
use serde::{Deserialize, Serialize};

/// What a group holds of one shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holding {
    /// It serves the shard's keys.
    Serving(KvState),
    /// A controller took the state to move it; kept until the controller deletes it.
    Frozen(KvState),
    /// Nothing.
    Absent,
}

/// One shard at one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The newest configuration number any shard RPC named for this shard.
    pub num: Tnum,
    /// What the group holds.
    pub holding: Holding,
}

/// A log entry of a shard group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// A Get.
    Get(GetArgs),
    /// A versioned Put.
    Put(PutArgs),
    /// `FreezeShard`.
    Freeze(FreezeShardArgs),
    /// `InstallShard`.
    Install(InstallShardArgs),
    /// `DeleteShard`.
    Delete(DeleteShardArgs),
}

/// What applying an [`Op`] answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rep {
    /// A Get's reply.
    Get(GetReply),
    /// A Put's reply.
    Put(PutReply),
    /// A Freeze's reply.
    Freeze(FreezeShardReply),
    /// An Install's or a Delete's reply.
    Shard(ShardReply),
}

/// The shards of one group. Its snapshot is its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardGrpMachine {
    slots: [Slot; N_SHARDS],
}

const WRONG_GROUP: GetReply = GetReply {
    value: String::new(),
    version: 0,
    err: KvErr::ErrWrongGroup,
};

impl ShardGrpMachine {
    /// Group `gid` before its first entry: group [`GID1`] serves every shard (the first
    /// configuration puts them all there), any other group none.
    pub fn new(gid: Tgid) -> ShardGrpMachine {
        let slot = |_| {
            if gid == GID1 {
                Slot {
                    num: NUM_FIRST,
                    holding: Holding::Serving(KvState::new()),
                }
            } else {
                Slot {
                    num: 0,
                    holding: Holding::Absent,
                }
            }
        };
        ShardGrpMachine {
            slots: std::array::from_fn(slot),
        }
    }

    /// Shard `shard`'s slot.
    pub fn slot(&self, shard: Tshid) -> Option<&Slot> {
        self.slots.get(shard)
    }

    fn get(&self, args: &GetArgs) -> GetReply {
        match &self.slots[key2shard(&args.key)].holding {
            Holding::Serving(kv) => kv.get(args),
            Holding::Frozen(_) | Holding::Absent => WRONG_GROUP,
        }
    }

    fn put(&mut self, args: PutArgs) -> PutReply {
        match &mut self.slots[key2shard(&args.key)].holding {
            Holding::Serving(kv) => kv.put(args),
            Holding::Frozen(_) | Holding::Absent => PutReply {
                err: KvErr::ErrWrongGroup,
            },
        }
    }

    /// Stops serving the shard and answers its state. A shard absent here answers
    /// `ErrNoKey`: under this number it already moved (the Delete came first), so there
    /// is nothing to install.
    fn freeze(&mut self, args: &FreezeShardArgs) -> FreezeShardReply {
        let refuse = |num, err| FreezeShardReply {
            state: Vec::new(),
            num,
            err,
        };
        let Some(slot) = self.slots.get_mut(args.shard) else {
            return refuse(0, KvErr::ErrWrongGroup);
        };
        let repeat = args.num == slot.num;
        if args.num < slot.num || (repeat && matches!(slot.holding, Holding::Serving(_))) {
            // Overtaken; or frozen and served again under the same number, which no
            // controller asks.
            return refuse(slot.num, KvErr::ErrVersion);
        }
        slot.num = args.num;
        let kv = match std::mem::replace(&mut slot.holding, Holding::Absent) {
            Holding::Serving(kv) | Holding::Frozen(kv) => kv,
            Holding::Absent => return refuse(slot.num, KvErr::ErrNoKey),
        };
        let state = codec::encode(&kv).expect("a shard encodes");
        slot.holding = Holding::Frozen(kv);
        FreezeShardReply {
            state,
            num: slot.num,
            err: KvErr::Ok,
        }
    }

    /// Serves the shard from the frozen state given. A repeat finds the shard served
    /// already, and keeps what Puts made of it since.
    fn install(&mut self, args: InstallShardArgs) -> ShardReply {
        let err = match self.slots.get_mut(args.shard) {
            None => KvErr::ErrWrongGroup,
            // Serving under an older number, and moving here from elsewhere: no
            // controller asks that, and taking the state given would lose this one.
            Some(slot) if args.num > slot.num && matches!(slot.holding, Holding::Serving(_)) => {
                KvErr::ErrVersion
            }
            Some(slot) if args.num > slot.num => match codec::decode::<KvState>(&args.state) {
                Ok(kv) => {
                    *slot = Slot {
                        num: args.num,
                        holding: Holding::Serving(kv),
                    };
                    KvErr::Ok
                }
                Err(_) => KvErr::ErrVersion,
            },
            Some(slot) if args.num == slot.num && matches!(slot.holding, Holding::Serving(_)) => {
                KvErr::Ok
            }
            Some(_) => KvErr::ErrVersion,
        };
        ShardReply { err }
    }

    /// Forgets the shard frozen under this number; a repeat finds it gone.
    fn delete(&mut self, args: &DeleteShardArgs) -> ShardReply {
        let err = match self.slots.get_mut(args.shard) {
            None => KvErr::ErrWrongGroup,
            Some(slot) if args.num == slot.num => match slot.holding {
                Holding::Frozen(_) | Holding::Absent => {
                    slot.holding = Holding::Absent;
                    KvErr::Ok
                }
                // Installed here under this number: this group is the destination.
                Holding::Serving(_) => KvErr::ErrVersion,
            },
            // Older: overtaken. Newer: never frozen under it, so not a move's Delete.
            Some(_) => KvErr::ErrVersion,
        };
        ShardReply { err }
    }
}

impl StateMachine for ShardGrpMachine {
    type Command = Op;
    type Output = Rep;

    fn apply(&mut self, op: Op) -> Rep {
        match op {
            Op::Get(args) => Rep::Get(self.get(&args)),
            Op::Put(args) => Rep::Put(self.put(args)),
            Op::Freeze(args) => Rep::Freeze(self.freeze(&args)),
            Op::Install(args) => Rep::Shard(self.install(args)),
            Op::Delete(args) => Rep::Shard(self.delete(&args)),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        encode_machine(self)
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), CodecError> {
        decode_machine(self, snapshot)
    }
}

#[cfg(test)]
mod tests;
