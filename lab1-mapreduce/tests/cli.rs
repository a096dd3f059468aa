//! Bad input to the binaries: a clear message and a non-zero exit, never a panic trace.

#![allow(clippy::disallowed_methods)] // real processes on the real clock, not the simulator

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lab1-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(exe: &str, args: &[&str], dir: &PathBuf) -> Output {
    Command::new(exe)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {exe}: {e}"))
}

/// The exit code and stderr, checking there is no panic trace.
fn failure(out: &Output) -> (i32, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "a panic trace: {stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

const COORDINATOR: &str = env!("CARGO_BIN_EXE_mrcoordinator");
const WORKER: &str = env!("CARGO_BIN_EXE_mrworker");
const SEQUENTIAL: &str = env!("CARGO_BIN_EXE_mrsequential");

/// A coordinator on `dir/c.sock` over `dir/in.txt`, once it listens.
fn listening_coordinator(dir: &PathBuf) -> Child {
    std::fs::write(dir.join("in.txt"), "x").unwrap();
    let child = Command::new(COORDINATOR)
        .args(["--socket", "c.sock", "in.txt"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !dir.join("c.sock").exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "never listened");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

#[test]
fn bad_arguments_exit_2_with_the_usage() {
    let dir = scratch("args");
    let cases: [(&str, &[&str], &str); 6] = [
        (COORDINATOR, &[], "no input files"),
        (
            COORDINATOR,
            &["--nreduce", "ten", "x"],
            "--nreduce wants a number",
        ),
        (
            COORDINATOR,
            &["--task-timeout", "0", "x"],
            "positive number of seconds",
        ),
        (COORDINATOR, &["--socket"], "--socket needs a value"),
        (WORKER, &["wc.so"], "unknown app 'wc.so'"),
        (SEQUENTIAL, &["nosuchapp", "x"], "unknown app 'nosuchapp'"),
    ];
    for (exe, args, message) in cases {
        let (code, stderr) = failure(&run(exe, args, &dir));
        assert_eq!(code, 2, "{exe} {args:?}: {stderr}");
        assert!(stderr.contains(message), "{exe} {args:?}: {stderr}");
        assert!(stderr.contains("usage:"), "{exe} {args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_input_files_are_named() {
    let dir = scratch("input");
    let (code, stderr) = failure(&run(COORDINATOR, &["--socket", "s", "nope.txt"], &dir));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot read input file nope.txt"),
        "{stderr}"
    );
    let (code, stderr) = failure(&run(SEQUENTIAL, &["wc", "nope.txt"], &dir));
    assert_eq!(code, 1);
    assert!(stderr.contains("nope.txt"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_worker_without_a_coordinator_says_so() {
    let dir = scratch("nocoord");
    let (code, stderr) = failure(&run(WORKER, &["--socket", "absent.sock", "wc"], &dir));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot reach the coordinator at absent.sock"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_socket_path_in_use_or_not_a_socket_is_refused() {
    let dir = scratch("inuse");
    let mut first = listening_coordinator(&dir);
    let (code, stderr) = failure(&run(COORDINATOR, &["--socket", "c.sock", "in.txt"], &dir));
    assert_eq!(code, 1);
    assert!(stderr.contains("already listening on c.sock"), "{stderr}");
    first.kill().unwrap();
    first.wait().unwrap();

    // A stale socket file (its coordinator was killed) is replaced; a regular file is not.
    std::fs::write(dir.join("plain"), "keep me").unwrap();
    let (code, stderr) = failure(&run(COORDINATOR, &["--socket", "plain", "in.txt"], &dir));
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a socket"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("plain")).unwrap(),
        "keep me"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A worker in the middle of a task whose coordinator dies stops at once with a message,
/// instead of finishing work nobody will collect.
#[test]
fn a_worker_whose_coordinator_dies_stops_at_once() {
    let dir = scratch("dies");
    let mut coordinator = listening_coordinator(&dir);
    let start = Instant::now();
    // jobcount's Map takes 2 to 5 s: kill the coordinator while it runs.
    let worker = Command::new(WORKER)
        .args(["--socket", "c.sock", "jobcount"])
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while !std::fs::read_dir(&dir).unwrap().flatten().any(|e| {
        e.file_name()
            .to_string_lossy()
            .starts_with("mr-worker-jobcount")
    }) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the map never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    coordinator.kill().unwrap();
    coordinator.wait().unwrap();
    let killed = Instant::now();
    let out = worker.wait_with_output().unwrap();
    let (code, stderr) = failure(&out);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("the coordinator closed the connection"),
        "{stderr}"
    );
    assert!(
        killed.elapsed() < Duration::from_millis(1500),
        "the worker took {:?} to notice",
        killed.elapsed()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
