//! The worker: asks the coordinator for a task, runs it, reports it, and repeats until the
//! coordinator says the job is done.
//!
//! The app runs on a blocking thread while the worker watches its connection: the
//! coordinator sends nothing unprompted, so a readable connection means it closed, and a
//! worker whose coordinator is gone stops at once instead of finishing work nobody will
//! collect.

use crate::app::{KeyValue, MrApp};
use crate::clock;
use crate::files::{self, intermediate_name, output_name};
use crate::frame;
use crate::partition::reduce_task;
use crate::protocol::{Reply, Request, Task, TaskId};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

/// How long a worker waits before asking again when every remaining task is running.
pub const WAIT: Duration = Duration::from_millis(50);

/// Why a worker stopped before the job was done.
#[derive(Debug)]
pub enum WorkerError {
    /// No coordinator is listening on the socket.
    Unreachable {
        /// The socket path.
        socket: PathBuf,
        /// Why the connection failed.
        source: io::Error,
    },
    /// The coordinator closed the connection: it exited, or died.
    CoordinatorGone,
    /// The coordinator sent something this worker does not understand.
    Protocol(String),
    /// A task failed: an input or intermediate file could not be read or written.
    Task {
        /// The task.
        id: TaskId,
        /// Why.
        source: io::Error,
    },
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Unreachable { socket, source } => write!(
                f,
                "cannot reach the coordinator at {}: {source} (is mrcoordinator running?)",
                socket.display()
            ),
            WorkerError::CoordinatorGone => {
                write!(
                    f,
                    "the coordinator closed the connection (it exited or died)"
                )
            }
            WorkerError::Protocol(what) => write!(f, "protocol error: {what}"),
            WorkerError::Task { id, source } => write!(f, "task {id:?} failed: {source}"),
        }
    }
}

impl std::error::Error for WorkerError {}

/// Runs tasks for the coordinator at `socket` until it says the job is done; returns how
/// many tasks this worker completed. Files are read and written in the current directory,
/// as in the course.
///
/// # Errors
/// See [`WorkerError`].
pub async fn run(app: Arc<dyn MrApp>, socket: &Path) -> Result<usize, WorkerError> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|source| WorkerError::Unreachable {
            socket: socket.to_path_buf(),
            source,
        })?;
    let (mut rx, mut tx) = stream.into_split();
    let mut completed = 0;
    loop {
        match call(&mut rx, &mut tx, &Request::GetTask).await? {
            Reply::Run(task) => {
                let id = task.id();
                tracing::debug!(?task, "running");
                let app = Arc::clone(&app);
                let work =
                    tokio::task::spawn_blocking(move || execute(&*app, Path::new("."), &task));
                let mut probe = [0u8; 1];
                let outcome = tokio::select! {
                    biased;
                    outcome = work => outcome,
                    _ = rx.read(&mut probe) => return Err(WorkerError::CoordinatorGone),
                };
                let outcome = outcome.map_err(|e| WorkerError::Task {
                    id,
                    source: io::Error::other(format!("the app panicked: {e}")),
                })?;
                outcome.map_err(|source| WorkerError::Task { id, source })?;
                match call(&mut rx, &mut tx, &Request::Finished(id)).await? {
                    Reply::Ack => completed += 1,
                    other => return Err(unexpected(&other)),
                }
            }
            Reply::Wait => clock::sleep(WAIT).await,
            Reply::Exit => return Ok(completed),
            other @ Reply::Ack => return Err(unexpected(&other)),
        }
    }
}

fn unexpected(reply: &Reply) -> WorkerError {
    WorkerError::Protocol(format!("unexpected reply {reply:?}"))
}

/// One request and its reply.
async fn call(
    rx: &mut OwnedReadHalf,
    tx: &mut OwnedWriteHalf,
    request: &Request,
) -> Result<Reply, WorkerError> {
    frame::write(tx, request)
        .await
        .map_err(|_| WorkerError::CoordinatorGone)?;
    match frame::read(rx).await {
        Ok(Some(reply)) => Ok(reply),
        Ok(None) => Err(WorkerError::CoordinatorGone),
        Err(e) if e.kind() == io::ErrorKind::InvalidData => {
            Err(WorkerError::Protocol(e.to_string()))
        }
        Err(_) => Err(WorkerError::CoordinatorGone),
    }
}

/// Runs one task, reading inputs and writing outputs in `dir` (input files are opened as
/// named). Blocking: file I/O and the app's own code.
///
/// # Errors
/// When a file cannot be read or written, or an intermediate file is corrupt.
pub fn execute(app: &dyn MrApp, dir: &Path, task: &Task) -> io::Result<()> {
    match task {
        Task::Map {
            index,
            file,
            n_reduce,
        } => {
            let bytes = std::fs::read(file).map_err(|e| context(e, file))?;
            let contents = String::from_utf8_lossy(&bytes);
            let mut partitions: Vec<Vec<KeyValue>> = vec![Vec::new(); *n_reduce];
            for kv in app.map(file, &contents) {
                partitions[reduce_task(&kv.key, *n_reduce)].push(kv);
            }
            // Every partition gets a file, empty or not: its reduce reads all n_map files.
            for (reduce, pairs) in partitions.iter().enumerate() {
                let name = intermediate_name(*index, reduce);
                files::write_atomically(dir, &name, &files::encode_pairs(pairs)?)
                    .map_err(|e| context(e, &name))?;
            }
        }
        Task::Reduce { index, n_map } => {
            let mut pairs = Vec::new();
            for map in 0..*n_map {
                let name = intermediate_name(map, *index);
                let bytes = std::fs::read(dir.join(&name)).map_err(|e| context(e, &name))?;
                pairs.extend(files::decode_pairs(&bytes).map_err(|e| context(e, &name))?);
            }
            let out = files::reduce_all(pairs, |key, values| app.reduce(key, values));
            let name = output_name(*index);
            files::write_atomically(dir, &name, out.as_bytes()).map_err(|e| context(e, &name))?;
        }
    }
    Ok(())
}

fn context(e: io::Error, file: &str) -> io::Error {
    io::Error::new(e.kind(), format!("{file}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::wc::WordCount;

    #[test]
    fn map_then_reduce_in_a_directory_gives_the_word_counts() {
        let dir = std::env::temp_dir().join(format!("lab1-worker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.txt");
        std::fs::write(&input, "b a b").unwrap();
        let file = input.to_string_lossy().into_owned();
        execute(
            &WordCount,
            &dir,
            &Task::Map {
                index: 0,
                file,
                n_reduce: 1,
            },
        )
        .unwrap();
        execute(&WordCount, &dir, &Task::Reduce { index: 0, n_map: 1 }).unwrap();
        let out = std::fs::read_to_string(dir.join("mr-out-0")).unwrap();
        assert_eq!(out, "a 1\nb 2\n");
        // A reduce whose intermediate file is corrupt fails with the file's name.
        std::fs::write(dir.join("mr-0-0"), [0xff, 0xff]).unwrap();
        let err = execute(&WordCount, &dir, &Task::Reduce { index: 0, n_map: 1 }).unwrap_err();
        assert!(err.to_string().contains("mr-0-0"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
