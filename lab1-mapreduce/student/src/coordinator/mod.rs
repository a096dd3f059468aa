//! The coordinator (the course's `coordinator.go`): hands out map tasks, one per input
//! file, then reduce tasks, `n_reduce` of them; hands a task to another worker when its
//! worker has not finished it within `task_timeout` (it may have crashed or stalled); and
//! finishes once every `mr-out-*` file is written.
//!
//! Given: [`run`], which listens on the socket, serves each worker connection (one
//! request, one reply, in a loop) with [`Coordinator::handle`], and returns once
//! [`Coordinator::done`] says so, as `mrcoordinator.go` does. Yours: the [`Coordinator`].
//! Handlers of different workers run concurrently: share the state behind a lock.

use crate::clock;
use crate::frame;
use crate::protocol::{ExampleReply, Reply, Request};
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UnixStream;

/// What one coordinator run needs (from `mrcoordinator`'s command line).
#[derive(Clone, Debug)]
pub struct Config {
    /// The input files, one map task each, named as the workers will open them.
    pub files: Vec<String>,
    /// How many reduce tasks (and `mr-out-*` files).
    pub n_reduce: usize,
    /// Where to listen.
    pub socket: PathBuf,
    /// How long a task may run before it is handed to another worker (the course's 10 s).
    pub task_timeout: Duration,
    /// How long to wait, once the job is done, for connected workers to hear that it is
    /// (the course's `mrcoordinator` sleeps 1 s after `Done()`).
    pub linger: Duration,
}

/// The coordinator's state, shared by every connection's handler.
pub struct Coordinator {
    // Lab 1: your state here.
}

impl Coordinator {
    /// The coordinator of the job `config` describes (the course's `MakeCoordinator`).
    pub fn new(_config: &Config) -> Coordinator {
        Coordinator {}
    }

    /// Answers one worker's request.
    pub fn handle(&self, request: Request) -> Reply {
        match request {
            // An example RPC handler: the reply is the argument plus one.
            Request::Example(args) => Reply::Example(ExampleReply { y: args.x + 1 }),
        }
    }

    /// Whether the whole job has finished; [`run`] asks every second (the course's
    /// `Done`).
    pub fn done(&self) -> bool {
        todo!("Lab 1: Coordinator::done (has the whole job finished?)")
    }
}

/// Checks that every input file can be opened, so a typo fails at once with its name.
///
/// # Errors
/// For the first file that cannot be opened.
pub fn check_inputs(files: &[String]) -> io::Result<()> {
    for file in files {
        std::fs::File::open(file).map_err(|e| io::Error::new(e.kind(), format!("{file}: {e}")))?;
    }
    Ok(())
}

/// Removes the socket file when the coordinator stops, so the next one can bind.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Serves workers until the job is done; returns a line for `mrcoordinator` to print.
///
/// # Errors
/// When the socket cannot be bound.
pub async fn run(config: Config) -> io::Result<String> {
    let listener = crate::files::bind_listening(&config.socket)?;
    let _socket_file = SocketFile(config.socket.clone());
    let coordinator = Arc::new(Coordinator::new(&config));
    let serving = coordinator.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, serving.clone()));
        }
    });
    while !coordinator.done() {
        clock::sleep(Duration::from_secs(1)).await;
    }
    clock::sleep(config.linger).await;
    Ok("job done".to_string())
}

/// One worker's connection: a request, its reply, until the worker hangs up.
async fn serve(mut stream: UnixStream, coordinator: Arc<Coordinator>) {
    while let Ok(Some(request)) = frame::read::<_, Request>(&mut stream).await {
        let reply = coordinator.handle(request);
        if frame::write(&mut stream, &reply).await.is_err() {
            break;
        }
    }
}
