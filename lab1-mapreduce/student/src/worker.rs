//! The worker (the course's `worker.go`): asks the coordinator for a task, runs it with the
//! app's map or reduce function, reports it, and repeats until the job is done.
//!
//! Given: the connection and [`call`], which sends one request and waits for its reply;
//! [`call_example`] shows an RPC. A map task splits its pairs among `n_reduce`
//! intermediate files with [`crate::partition`]; a reduce task writes `mr-out-<r>` lines
//! with [`crate::files::output_line`]; the course's hint about writing a temporary file
//! and renaming it applies ([`crate::files::write_atomically`]). The app's functions may
//! take long (the timing apps sleep): run them with `tokio::task::spawn_blocking`.

use crate::app::MrApp;
use crate::frame;
use crate::protocol::{ExampleArgs, Reply, Request};
use std::io;
use std::path::Path;
use std::sync::Arc;
use tokio::net::UnixStream;

/// Runs tasks with `app` for the coordinator at `socket` until the job is done; returns how
/// many tasks this worker ran.
///
/// # Errors
/// When the coordinator cannot be reached, or goes away.
pub async fn run(_app: Arc<dyn MrApp>, socket: &Path) -> io::Result<usize> {
    let mut coordinator = UnixStream::connect(socket).await?;
    // Uncomment to send the Example RPC to the coordinator.
    // call_example(&mut coordinator).await?;
    let _ = &mut coordinator;
    todo!("Lab 1: worker::run (ask for tasks, run them, report them)")
}

/// Sends `request` to the coordinator and waits for its reply.
///
/// # Errors
/// When the connection fails or the coordinator closes it.
pub async fn call(coordinator: &mut UnixStream, request: &Request) -> io::Result<Reply> {
    frame::write(coordinator, request).await?;
    frame::read(coordinator).await?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the coordinator closed the connection",
        )
    })
}

/// An example RPC: sends 99 and prints the coordinator's answer, 100.
///
/// # Errors
/// As [`call`].
pub async fn call_example(coordinator: &mut UnixStream) -> io::Result<()> {
    let Reply::Example(reply) = call(coordinator, &Request::Example(ExampleArgs { x: 99 })).await?;
    println!("reply.y {}", reply.y);
    Ok(())
}
