//! The coordinator's driver: one event loop owns the [`Tasks`] state machine; one task per
//! worker connection turns frames into events and events' answers into frames.
//!
//! A worker keeps one connection for its whole life, so a closed connection means the
//! worker is gone (crashed, killed, or exited): its running tasks are released at once
//! instead of after the timeout. A stalled worker keeps its connection open; for it the
//! timeout applies, as the course requires.
//!
//! When every task is done, workers that ask are told to exit; the coordinator exits once
//! none is connected, or after [`Config::linger`] at most (the course waits 1 s after
//! `Done()` for the same reason: so workers hear "exit" rather than a closed socket).
//!
//! One coordinator per socket path: a coordinator first takes an exclusive lock on
//! `<socket>.lock` (released by the kernel when the process ends, even by `kill -9`), and
//! only the holder may remove a stale socket file and bind. Checking for a live socket
//! and then binding, as before, let two coordinators started at the same instant both
//! run. SIGTERM and SIGINT end the run like an error, so the socket file is removed.

use super::tasks::{Assignment, Completion, Stats, Tasks, WorkerId};
use crate::clock::{self, Instant};
use crate::files;
use crate::frame;
use crate::protocol::{Reply, Request};
use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};

/// What one coordinator run needs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The input files, one map task each, named as the workers will open them.
    pub files: Vec<String>,
    /// How many reduce tasks (and `mr-out-*` files).
    pub n_reduce: usize,
    /// Where to listen.
    pub socket: PathBuf,
    /// How long a task may run before it is handed to another worker.
    pub task_timeout: Duration,
    /// How long to wait, once the job is done, for connected workers to hear "exit".
    pub linger: Duration,
}

/// Why the coordinator could not run.
#[derive(Debug)]
pub enum CoordinatorError {
    /// An input file cannot be read.
    Input {
        /// The file.
        file: String,
        /// Why.
        source: io::Error,
    },
    /// Another coordinator is listening on the socket path.
    SocketInUse(PathBuf),
    /// The socket path exists and is not a socket: not ours to remove.
    NotASocket(PathBuf),
    /// The lock file beside the socket cannot be opened.
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The handlers for SIGTERM and SIGINT cannot be installed.
    Signals(io::Error),
    /// SIGTERM or SIGINT stopped the run (named).
    Stopped(&'static str),
    /// Listening failed.
    Listen {
        /// The socket path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

impl fmt::Display for CoordinatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoordinatorError::Input { file, source } => {
                write!(f, "cannot read input file {file}: {source}")
            }
            CoordinatorError::SocketInUse(path) => write!(
                f,
                "another coordinator is already listening on {} (stop it, or pass --socket)",
                path.display()
            ),
            CoordinatorError::NotASocket(path) => write!(
                f,
                "{} exists and is not a socket; not removing it (pass another --socket)",
                path.display()
            ),
            CoordinatorError::Lock { path, source } => {
                write!(f, "cannot open the lock file {}: {source}", path.display())
            }
            CoordinatorError::Signals(source) => {
                write!(f, "cannot handle SIGTERM and SIGINT: {source}")
            }
            CoordinatorError::Stopped(signal) => {
                write!(f, "stopped by {signal}; the socket file is removed")
            }
            CoordinatorError::Listen { path, source } => {
                write!(f, "cannot listen on {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for CoordinatorError {}

/// How the job went, for the closing line.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// From listening to the last task done.
    pub elapsed: Duration,
    /// Map and reduce task counts.
    pub n_map: usize,
    /// See `n_map`.
    pub n_reduce: usize,
    /// The state machine's counters.
    pub stats: Stats,
    /// How many worker connections the coordinator saw.
    pub workers: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.stats;
        write!(
            f,
            "job done in {:.2} s: {} map and {} reduce tasks, {} workers, {} assignments; \
             re-issued {} after a timeout, released {} from lost workers; \
             ignored {} duplicate and {} unknown completions",
            self.elapsed.as_secs_f64(),
            self.n_map,
            self.n_reduce,
            self.workers,
            s.assigned,
            s.reissued_after_timeout,
            s.released_after_loss,
            s.duplicates,
            s.unknown
        )
    }
}

/// Checks that every input file can be opened, so a typo fails at once with its name
/// rather than as a worker error later.
///
/// # Errors
/// [`CoordinatorError::Input`] for the first file that cannot be opened.
pub fn check_inputs(files: &[String]) -> Result<(), CoordinatorError> {
    for file in files {
        let opened = std::fs::File::open(file).and_then(|f| {
            if f.metadata()?.is_dir() {
                Err(io::Error::other("is a directory"))
            } else {
                Ok(())
            }
        });
        opened.map_err(|source| CoordinatorError::Input {
            file: file.clone(),
            source,
        })?;
    }
    Ok(())
}

/// What a connection task tells the event loop.
enum Event {
    Connected(WorkerId),
    Request {
        worker: WorkerId,
        request: Request,
        reply: oneshot::Sender<Reply>,
    },
    Disconnected(WorkerId),
}

/// Removes the socket file when the coordinator stops, however it stops, so the crash
/// test's "socket exists" loop ends and the next coordinator can bind.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs the job: serves workers until every task is done, then lets them exit.
///
/// # Errors
/// When the socket cannot be bound (see [`CoordinatorError`]).
pub async fn run(config: Config) -> Result<Summary, CoordinatorError> {
    // Installed before the socket exists, so no signal finds it there without a handler.
    let stop = stop_signal()?;
    let (listener, _lock) = listen(&config.socket)?;
    let _socket_file = SocketFile(config.socket.clone());
    tokio::select! {
        biased;
        signal = stop => Err(CoordinatorError::Stopped(signal)),
        summary = serve_job(config, listener) => Ok(summary),
    }
}

/// Resolves with the signal's name on the first SIGTERM or SIGINT.
fn stop_signal() -> Result<impl Future<Output = &'static str>, CoordinatorError> {
    use tokio::signal::unix::{SignalKind, signal};
    let install = |kind| signal(kind).map_err(CoordinatorError::Signals);
    let (mut term, mut int) = (
        install(SignalKind::terminate())?,
        install(SignalKind::interrupt())?,
    );
    Ok(async move {
        tokio::select! {
            biased;
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    })
}

/// The job itself, from the first worker to the last task done.
async fn serve_job(config: Config, listener: UnixListener) -> Summary {
    let (events_tx, mut events) = mpsc::channel(64);
    let acceptor = tokio::spawn(accept(listener, events_tx));

    let start = clock::now();
    let mut tasks = Tasks::new(config.files, config.n_reduce, config.task_timeout);
    let mut connected = BTreeSet::new();
    let mut workers = 0;
    let mut done_at: Option<Instant> = None;
    loop {
        let event = match done_at {
            None => events.recv().await,
            Some(_) if connected.is_empty() => break,
            Some(done_at) => {
                let left = config.linger.saturating_sub(done_at.elapsed());
                tokio::select! {
                    biased;
                    event = events.recv() => event,
                    () = clock::sleep(left) => break,
                }
            }
        };
        let Some(event) = event else { break };
        let now = start.elapsed();
        match event {
            Event::Connected(worker) => {
                connected.insert(worker);
                workers += 1;
                tracing::debug!(worker, "worker connected");
            }
            Event::Disconnected(worker) => {
                connected.remove(&worker);
                let released = tasks.worker_lost(worker);
                if !released.is_empty() {
                    tracing::info!(worker, ?released, "worker lost: its tasks are idle again");
                }
            }
            Event::Request {
                worker,
                request,
                reply,
            } => {
                let answer = match request {
                    Request::GetTask => match tasks.assign(worker, now) {
                        Assignment::Run(task) => {
                            tracing::debug!(worker, ?task, "assigned");
                            Reply::Run(task)
                        }
                        Assignment::Wait => Reply::Wait,
                        Assignment::Exit => Reply::Exit,
                    },
                    Request::Finished(id) => {
                        if tasks.finished(worker, id) != Completion::Accepted {
                            tracing::info!(worker, ?id, "ignored a completion");
                        }
                        Reply::Ack
                    }
                };
                // The worker may have gone meanwhile; its Disconnected event follows.
                let _ = reply.send(answer);
            }
        }
        if done_at.is_none() && tasks.done() {
            tracing::info!(elapsed = ?start.elapsed(), "all tasks done");
            done_at = Some(clock::now());
        }
    }
    acceptor.abort();
    let (n_map, n_reduce) = tasks.sizes();
    Summary {
        elapsed: done_at.map_or(start.elapsed(), |d| d.duration_since(start)),
        n_map,
        n_reduce,
        stats: tasks.stats(),
        workers,
    }
}

/// Takes the socket path's lock, then binds the socket, replacing a stale socket file
/// left by a coordinator that died (it no longer holds the lock), but never a file that
/// is not a socket. The lock is held as long as the returned file is open.
fn listen(path: &Path) -> Result<(UnixListener, std::fs::File), CoordinatorError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| CoordinatorError::Lock {
            path: lock_path.clone(),
            source,
        })?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(CoordinatorError::SocketInUse(path.to_path_buf()));
        }
        Err(std::fs::TryLockError::Error(source)) => {
            return Err(CoordinatorError::Lock {
                path: lock_path,
                source,
            });
        }
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(CoordinatorError::NotASocket(path.to_path_buf()));
        }
        let _ = std::fs::remove_file(path);
    }
    let listener = files::bind_listening(path).map_err(|source| CoordinatorError::Listen {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((listener, lock))
}

async fn accept(listener: UnixListener, events: mpsc::Sender<Event>) {
    let mut next: WorkerId = 0;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        next += 1;
        if events.send(Event::Connected(next)).await.is_err() {
            return;
        }
        tokio::spawn(serve(next, stream, events.clone()));
    }
}

/// One worker's connection: request frames in, reply frames out, until it closes.
async fn serve(worker: WorkerId, mut stream: UnixStream, events: mpsc::Sender<Event>) {
    loop {
        let request = match frame::read::<_, Request>(&mut stream).await {
            Ok(Some(request)) => request,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(worker, error = %e, "bad frame from a worker: dropping it");
                break;
            }
        };
        let (reply, answer) = oneshot::channel();
        let event = Event::Request {
            worker,
            request,
            reply,
        };
        if events.send(event).await.is_err() {
            return;
        }
        let Ok(answer) = answer.await else { return };
        if frame::write(&mut stream, &answer).await.is_err() {
            break;
        }
    }
    let _ = events.send(Event::Disconnected(worker)).await;
}
