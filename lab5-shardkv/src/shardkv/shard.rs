//! [`Shard`]: what a group holds of one shard, and where the shard is in its handoff
//! between two groups ([`ShardStatus`]). Pure.
//!
//! When the configuration moves shard `s` from group A (configuration N) to group B
//! (configuration N+1), both groups take N+1 through their logs, then:
//!
//! ```text
//!   A: Serving ──N+1──▶ Offering ─────────────────────── deleted ──▶ Absent
//!                          │  B pulls the frozen copy        ▲
//!                          ▼                                 │ B asks A to delete
//!   B: Absent ───N+1──▶ Pulling ── installed ──▶ Collecting ─┴─ A confirmed ──▶ Serving
//! ```
//!
//! A serves `s` until N+1 is applied and never after, and B serves it from the moment the
//! copy is in B's log (Collecting serves: challenge 2), so exactly one group applies
//! operations on `s` at any point of the history. A group takes configuration N+2 only
//! when every shard is `Serving` or `Absent`: every shard of N+1 has arrived, and every
//! shard it gave up has been deleted by its new owner's request (challenge 1), which A
//! acts on only once B's servers confirm they hold the shard.

use lab4_kvraft::machine::KvMachine;
use serde::{Deserialize, Serialize};

/// Where a shard is, for one group. See the module documentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardStatus {
    /// Not this group's, and no data held.
    #[default]
    Absent,
    /// This group's, with its data: served.
    Serving,
    /// This group's in the current configuration, but its data is still with the previous
    /// owner: not served yet.
    Pulling,
    /// The previous configuration's, not the current one's: the data is frozen and kept
    /// until the new owner has it. Not served.
    Offering,
    /// Pulled and served, but the previous owner has not confirmed that it deleted its
    /// copy yet.
    Collecting,
}

impl ShardStatus {
    /// Whether operations on the shard are applied here.
    pub fn serves(self) -> bool {
        matches!(self, ShardStatus::Serving | ShardStatus::Collecting)
    }

    /// Whether the shard's handoff is over, so the group may take the next configuration.
    pub fn settled(self) -> bool {
        matches!(self, ShardStatus::Serving | ShardStatus::Absent)
    }
}

/// One shard as a group holds it: its status and its key/value state, whose duplicate
/// table travels with the data, so a write retried after its shard moved is still
/// applied once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Where the shard is.
    pub status: ShardStatus,
    /// Its keys and the duplicate table of the writes to them (empty unless held).
    pub kv: KvMachine,
}
