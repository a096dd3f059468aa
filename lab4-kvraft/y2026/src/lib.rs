//! Lab 4 of the 2026 course: a replicated state machine layer (`rsm`, part 4A) and the
//! versioned key/value service on it (`kvraft1`, parts 4B and 4C with snapshots).
//!
//! The 2024 lab's parts 4A and 4B are this lab's 4B and 4C; 4A is new. The service is
//! Lab 2's versioned map (`lab2_kvsrv_2026::kv_state`), now replicated: a Put names the
//! version it expects, so the servers keep no duplicate table, and a clerk that resent a
//! Put answers `ErrMaybe` when it then hears `ErrVersion`.
//!
//! - [`rsm`]: the course's `rsm` interface (`MakeRSM`, `Submit`, `StateMachine` with
//!   `DoOp`, `Snapshot`, `Restore`) on the Rsm both editions share
//!   (`lab4_kvraft::rsm::Rsm`): a submit waits as long as its peer leads;
//! - [`machine`]: [`machine::KvMachine`], the versioned map as the log's state machine;
//! - [`server`]: [`KvServer`], the `KVServer` service of one replica;
//! - [`clerk`]: [`Clerk`], which remembers the last leader (`Leader()`), on
//!   [`clerk::Replicas`] (Lab 5's shard group clerk calls its groups with it too);
//! - [`rsm_tester`]: the course's `rsm/test.go` and `server.go` (a counter on the rsm);
//! - [`tester`]: the course's `kvraft1/test.go` (`GenericTest`, `GenericTestSpeed`).

pub mod clerk;
pub mod machine;
pub mod rsm;
pub mod rsm_tester;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::KvServer;
