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
        .stderr(Stdio::piped())
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
    let cases: [(&str, &[&str], &str); 10] = [
        (COORDINATOR, &[], "required arguments were not provided"),
        (
            COORDINATOR,
            &["--nreduce", "ten", "x"],
            "invalid value 'ten' for '--nreduce <N>'",
        ),
        // Before clap, 1e14 reduce tasks were accepted and the coordinator aborted
        // allocating their table.
        (
            COORDINATOR,
            &["--nreduce", "100000000000000", "x"],
            "must be between 1 and 10000",
        ),
        (
            COORDINATOR,
            &["--task-timeout", "0", "x"],
            "positive number of seconds",
        ),
        (
            COORDINATOR,
            &["--task-timeout", "1e300", "x"],
            "at most 86400",
        ),
        (
            COORDINATOR,
            &["--socket"],
            "a value is required for '--socket <PATH>'",
        ),
        (
            COORDINATOR,
            &["--nreduc", "3", "x"],
            "similar argument exists: '--nreduce'",
        ),
        (WORKER, &["wc.so"], "unknown app 'wc.so'"),
        (SEQUENTIAL, &["nosuchapp", "x"], "unknown app 'nosuchapp'"),
        (
            SEQUENTIAL,
            &["--out", "..", "wc", "x"],
            "--out must name a file",
        ),
    ];
    for (exe, args, message) in cases {
        let (code, stderr) = failure(&run(exe, args, &dir));
        assert_eq!(code, 2, "{exe} {args:?}: {stderr}");
        assert!(stderr.contains(message), "{exe} {args:?}: {stderr}");
        assert!(stderr.contains("try '--help'"), "{exe} {args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An argument that is not UTF-8 is a usage error (before clap: exit 101, a panic trace).
#[test]
fn a_non_utf8_argument_is_a_usage_error() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("utf8");
    let bad = OsStr::from_bytes(b"in\xff.txt");
    for (exe, before) in [
        (COORDINATOR, &[][..]),
        (WORKER, &[][..]),
        (SEQUENTIAL, &["wc"][..]),
    ] {
        let out = Command::new(exe)
            .args(before)
            .arg(bad)
            .current_dir(&dir)
            .output()
            .unwrap();
        let (code, stderr) = failure(&out);
        assert_eq!(code, 2, "{exe}: {stderr}");
        assert!(stderr.contains("invalid UTF-8"), "{exe}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--help` and `--version` print on stdout and exit 0, for every binary.
#[test]
fn help_and_version_exit_0() {
    let dir = scratch("help");
    for exe in [
        COORDINATOR,
        WORKER,
        SEQUENTIAL,
        env!("CARGO_BIN_EXE_mrcorpus"),
        env!("CARGO_BIN_EXE_mrdemo"),
    ] {
        for flag in ["--help", "--version"] {
            let out = run(exe, &[flag], &dir);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "{exe} {flag}");
            let want = if flag == "--help" {
                "Usage:"
            } else {
                env!("CARGO_PKG_VERSION")
            };
            assert!(stdout.contains(want), "{exe} {flag}: {stdout}");
        }
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

/// Issue 25, point 9: coordinators started at the same instant on one socket path. One
/// runs; every other one exits at once saying the path is in use. Before, the check for a
/// live socket and the bind were separate steps, and in about 1 start in 100 two of them
/// both ran, one having removed the other's socket.
#[test]
fn coordinators_started_together_run_one_at_a_time() {
    let dir = scratch("together");
    std::fs::write(dir.join("in.txt"), "x").unwrap();
    for round in 0..25 {
        let mut started: Vec<Child> = (0..6)
            .map(|_| {
                Command::new(COORDINATOR)
                    .args(["--socket", "c.sock", "in.txt"])
                    .current_dir(&dir)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let start = Instant::now();
        let mut running = started.len();
        while running > 1 {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "round {round}: {running} coordinators still run"
            );
            running = 0;
            for child in &mut started {
                if child.try_wait().unwrap().is_none() {
                    running += 1;
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // Give a late second winner time to show itself.
        std::thread::sleep(Duration::from_millis(50));
        let mut survivors = 0;
        for mut child in started {
            match child.try_wait().unwrap() {
                None => {
                    survivors += 1;
                    child.kill().unwrap();
                    child.wait().unwrap();
                }
                Some(status) => {
                    let out = child.wait_with_output().unwrap();
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert_eq!(status.code(), Some(1), "round {round}: {stderr}");
                    assert!(stderr.contains("already listening on c.sock"), "{stderr}");
                }
            }
        }
        assert_eq!(survivors, 1, "round {round}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// SIGTERM and SIGINT stop a coordinator with its socket file removed, so the next one
/// (and the course's "socket exists" loop) does not find a stale one. Before, either
/// signal killed the process with the file left behind.
#[test]
fn sigterm_and_sigint_remove_the_socket() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let dir = scratch("signals");
    for (signal, name) in [(Signal::SIGTERM, "SIGTERM"), (Signal::SIGINT, "SIGINT")] {
        let coordinator = listening_coordinator(&dir);
        let pid = Pid::from_raw(i32::try_from(coordinator.id()).unwrap());
        kill(pid, signal).unwrap();
        let out = coordinator.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            !dir.join("c.sock").exists(),
            "{name}: the socket is still there"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
