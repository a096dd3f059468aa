//! Lab 4 of the 2026 course: a replicated state machine layer (`rsm`, part 4A) and the
//! versioned key/value service on it (`kvraft1`, parts 4B and 4C with snapshots). Yours
//! to write: read `lab4-kvraft/README.md` ("Do it yourself: the 2026 edition").
//!
//! - [`rsm`]: the course's `rsm` interface: [`rsm::Rsm`] (`MakeRSM`, `Submit`) and the
//!   [`rsm::StateMachine`] it drives (`DoOp`, `Snapshot`, `Restore`);
//! - [`machine`]: [`machine::KvMachine`], the versioned map as the log's state machine;
//! - [`server`]: [`KvServer`], one replica's `KVServer` service;
//! - [`clerk`]: [`Clerk`], the client library the tests call;
//! - [`rsm_tester`], [`tester`]: the course's test harnesses (do not edit).

pub mod clerk;
pub mod machine;
pub mod rsm;
pub mod rsm_tester;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use server::KvServer;
