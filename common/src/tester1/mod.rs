//! The 2026 course's shared test framework (`tester1`), on the simulator.
//!
//! In 2026 every lab's tests build on one framework instead of a `config.go` per lab:
//! - [`Config`]: one test's network, its operation count and its begin and passed lines
//!   (`<title> (reliable network)...`, `  ... Passed --  time 3.5s #peers 3 ...`);
//! - [`ServerGrp`]: a group of servers named `server-<gid>-<i>`, started by a function
//!   the lab gives (the course's daemon start functions), crashed abruptly and restarted
//!   with what they had persisted, connected, disconnected and partitioned;
//! - [`Clnt`]: one clerk's view of the network. Clerks are made from server *names*, and
//!   the ends behind them are made on first use, enabled only for the servers the
//!   client is allowed to reach.
//!
//! The course runs each server as a process and kills it with SIGKILL. Here a server's
//! tasks all belong to it (the simulator knows them through its span), and a crash stops
//! every one of them at once ([`crate::sim::kill_server_tasks`]) after the persisted
//! state is checkpointed: the server has no `kill()` to get right, and nothing it would
//! have written afterwards reaches its successor.

mod clnt;
mod config;
mod group;

pub use clnt::Clnt;
pub use config::Config;
pub use group::{Daemon, ServerGrp, StartServer, server_name};
