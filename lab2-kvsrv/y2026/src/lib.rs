//! Lab 2 of the 2026 course: a single-server key/value service whose Put names the version
//! it expects, and a lock built on it (`kvsrv1`, `kvsrv1/lock`).
//!
//! The 2024 lab (the crate `lab2-kvsrv`) made Put and Append exactly-once with a table of
//! each clerk's last write. In 2026 Append is gone and each key carries a version: a Put
//! applies only at the key's version, so the server keeps no per-clerk state at all, and
//! a clerk that had to resend a Put and then hears `ErrVersion` cannot tell whether its
//! first copy applied: it answers `ErrMaybe` and leaves the caller to decide.
//!
//! - [`kv_state`]: [`kv_state::KvState`], the versioned map as a pure state machine (the
//!   2026 Lab 4 replicates it);
//! - [`server`]: [`KvServer`], the RPC service over it;
//! - [`clerk`]: [`Clerk`], which retries until it hears back and applies the `ErrMaybe` rule;
//! - [`lock`]: [`Lock`], a lock whose only state is a key of the KV service;
//! - [`tester`]: the course's `kvsrv1/test.go` on the shared 2026 framework.

pub mod clerk;
pub mod kv_state;
pub mod lock;
pub mod server;
pub mod tester;

pub use clerk::Clerk;
pub use lock::Lock;
pub use server::KvServer;
