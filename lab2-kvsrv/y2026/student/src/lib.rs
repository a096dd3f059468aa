//! Lab 2 of the 2026 course: a single-server key/value service whose Put names the
//! version it expects, and a lock built on it (`kvsrv1`, `kvsrv1/lock`). Yours to write:
//! read `lab2-kvsrv/README.md` ("Do it yourself: the 2026 edition").
//!
//! - [`server`]: [`KvServer`], the server and its RPC handlers;
//! - [`clerk`]: [`Clerk`], the client library the tests call;
//! - [`lock`]: [`Lock`], a lock whose only state is a key of the service;
//! - [`tester`]: the course's test harness (do not edit).
//!
//! The RPCs' arguments, replies and errors are the course's `kvsrv1/rpc`, handed out in
//! `common::kvtest::rpc` (Lab 4 uses them too).

pub mod clerk;
pub mod lock;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use lock::Lock;
pub use server::KvServer;
