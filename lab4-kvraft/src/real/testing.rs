//! The real cluster's fault tests, shared by Lab 4's (`tests/real_cluster.rs`) and Lab
//! 5's: server processes on loopback, clients that record a history, and a nemesis of
//! SIGKILLs and partitions, Jepsen-style. The checks are the simulated tests' own: the
//! history must be linearizable ([`common::linearizability`]) and every acknowledged
//! Append present exactly once, in order ([`common::kv_checks`]).
//!
//! Real processes, real sockets and the real clock: run inside a real-time world
//! ([`common::sim::Builder::realtime`]), which the clerks' sleeps and randomness need.

use crate::Clerk;
use common::kv_checks::check_client_appends;
use common::labrpc::ClientEnd;
use common::linearizability::kv::{KvInput, KvModel, KvOutput, KvValue};
use common::linearizability::{Recorder, assert_linearizable};
use common::net::process::client_ends;
use common::net::{CallConfig, ClusterKey, admin};
use common::sim::{self, RngExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Seconds of load: `LAB_REAL_SECONDS`, default 12 (the short form CI runs; 30 is the
/// long form).
pub fn load_seconds() -> u64 {
    std::env::var("LAB_REAL_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s| (1..=3600).contains(s))
        .unwrap_or(12)
}

/// Free loopback addresses, as the OS hands them out (one could be taken again before a
/// server binds it; the test would then fail at its start, never pass wrongly).
pub fn free_addrs(n: usize) -> Vec<String> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port"))
        .collect();
    listeners
        .iter()
        .map(|l| format!("127.0.0.1:{}", l.local_addr().expect("a bound port").port()))
        .collect()
}

/// One server process of the cluster: what runs it, and its Raft group.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The binary.
    pub bin: PathBuf,
    /// Its arguments, but for `--data`, `--key` and `--allow-faults`, which are added.
    pub args: Vec<String>,
    /// Its Raft group (a number of the caller's choosing): partitions cut within groups.
    pub group: usize,
    /// Its peer index in the group.
    pub me: u32,
    /// Its address.
    pub addr: String,
}

/// The server processes, their files and an admin end to each.
pub struct Processes {
    dir: PathBuf,
    specs: Vec<Spec>,
    children: Vec<Option<Child>>,
    admins: Vec<ClientEnd>,
    key: Arc<ClusterKey>,
}

impl Processes {
    /// A scratch folder under `target/` for a test's files, new.
    pub fn scratch(name: &str) -> PathBuf {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
        let dir = target.join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// Writes a cluster key into `dir` and starts every server of `specs`.
    ///
    /// # Panics
    /// When the files cannot be written or a process cannot start.
    pub fn start(dir: PathBuf, specs: Vec<Spec>) -> Processes {
        std::fs::create_dir_all(&dir).expect("the scratch folder");
        let key_path = dir.join("cluster.key");
        std::fs::write(&key_path, "a test cluster's key, 32 bytes!!").expect("the key file");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))
                .expect("the key file's mode");
        }
        let key = Arc::new(ClusterKey::from_file(&key_path).expect("the key file"));
        let addrs: Vec<String> = specs.iter().map(|s| s.addr.clone()).collect();
        let config = CallConfig {
            timeout: Duration::from_secs(1),
            ..CallConfig::default()
        };
        let mut processes = Processes {
            admins: client_ends(&addrs, &key, &config),
            children: specs.iter().map(|_| None).collect(),
            specs,
            dir,
            key,
        };
        for i in 0..processes.specs.len() {
            processes.launch(i);
        }
        processes
    }

    /// The cluster key, for the clients' ends.
    pub fn key(&self) -> &Arc<ClusterKey> {
        &self.key
    }

    /// How many servers.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Starts server `i` (again), from its data directory.
    pub fn launch(&mut self, i: usize) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("log-{i}")))
            .expect("a log file");
        let spec = &self.specs[i];
        let child = Command::new(&spec.bin)
            .args(&spec.args)
            .arg("--data")
            .arg(self.dir.join(format!("data-{i}")))
            .arg("--key")
            .arg(self.dir.join("cluster.key"))
            .arg("--allow-faults")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("a server process");
        self.children[i] = Some(child);
    }

    /// Kills server `i` with SIGKILL.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.children[i].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether server `i` runs.
    pub fn is_up(&self, i: usize) -> bool {
        self.children[i].is_some()
    }

    /// Cuts the servers `side` off from the other servers of their Raft groups (an empty
    /// side heals every server).
    pub async fn partition(&self, side: &[usize]) {
        for (s, spec) in self.specs.iter().enumerate() {
            let cut: Vec<u32> = self
                .specs
                .iter()
                .enumerate()
                .filter(|(p, other)| {
                    other.group == spec.group
                        && !side.is_empty()
                        && side.contains(p) != side.contains(&s)
                })
                .map(|(_, other)| other.me)
                .collect();
            if self.is_up(s) {
                // One that does not answer now starts healed when it restarts.
                let _ = self.admins[s].call(admin::ISOLATE, &cut).await;
            }
        }
    }

    /// The end of every server's log, for a failure's message.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for i in 0..self.specs.len() {
            let log =
                std::fs::read_to_string(self.dir.join(format!("log-{i}"))).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(4).collect::<Vec<_>>();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            out += &format!(
                "server {i} ({}):\n  {}\n",
                self.specs[i].addr,
                tail.join("\n  ")
            );
        }
        out
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for i in 0..self.specs.len() {
            self.kill(i);
        }
        // Kept after a failure, for its logs.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Counts of what the nemesis did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Faults {
    /// Servers killed.
    pub kills: u32,
    /// Partitions made.
    pub partitions: u32,
}

/// The nemesis: until `until`, every second or so, one fault in turn: kill one of
/// `targets`, cut them in two, kill a majority of them, cut them in two, kill all of them
/// (what only the disk survives); the dead come back a little later. At the end every
/// server runs and every partition is healed.
pub async fn nemesis(p: &mut Processes, targets: &[usize], until: Duration) -> Faults {
    let mut done = Faults::default();
    for round in 0.. {
        if sim::now() >= until {
            break;
        }
        sim::sleep(Duration::from_millis(sim::rng(|r| {
            r.random_range(300..1000)
        })))
        .await;
        let kill = match round % 5 {
            0 => Some(1),
            2 => Some(targets.len() / 2 + 1),
            4 => Some(targets.len()),
            _ => None,
        };
        match kill {
            Some(many) => {
                let mut up: Vec<usize> = targets.iter().copied().filter(|i| p.is_up(*i)).collect();
                for _ in 0..many.min(up.len()) {
                    let i = up.swap_remove(sim::rng(|r| r.random_range(0..up.len())));
                    p.kill(i);
                    done.kills += 1;
                }
            }
            None => {
                let mut side: Vec<usize> = targets
                    .iter()
                    .copied()
                    .filter(|_| sim::rng(|r| r.random_bool(0.4)))
                    .collect();
                if side.is_empty() || side.len() == targets.len() {
                    side = vec![targets[sim::rng(|r| r.random_range(0..targets.len()))]];
                }
                p.partition(&side).await;
                done.partitions += 1;
                sim::sleep(Duration::from_millis(sim::rng(|r| {
                    r.random_range(500..2000)
                })))
                .await;
                p.partition(&[]).await;
            }
        }
        sim::sleep(Duration::from_millis(sim::rng(|r| {
            r.random_range(200..800)
        })))
        .await;
        for i in 0..p.len() {
            if !p.is_up(i) {
                p.launch(i);
            }
        }
    }
    p.partition(&[]).await;
    done
}

/// A KV clerk of either lab, for [`client`].
pub trait KvClerk: Send + 'static {
    /// The value of `key`.
    fn get(&mut self, key: &str) -> impl Future<Output = String> + Send;
    /// Sets `key`.
    fn put(&mut self, key: &str, value: &str) -> impl Future<Output = ()> + Send;
    /// Appends to `key`.
    fn append(&mut self, key: &str, value: &str) -> impl Future<Output = ()> + Send;
}

impl KvClerk for Clerk {
    fn get(&mut self, key: &str) -> impl Future<Output = String> + Send {
        Clerk::get(self, key)
    }
    fn put(&mut self, key: &str, value: &str) -> impl Future<Output = ()> + Send {
        Clerk::put(self, key, value)
    }
    fn append(&mut self, key: &str, value: &str) -> impl Future<Output = ()> + Send {
        Clerk::append(self, key, value)
    }
}

/// Keys every client reads and writes.
const SHARED_KEYS: u32 = 3;

/// One client: random Get, Put (on shared keys) and Append (to its own key, `x c j y`, as
/// the course's tests append) until `stop`, each recorded. Returns how many appends it made.
pub async fn client<K: KvClerk>(
    c: usize,
    mut clerk: K,
    recorder: Recorder<KvInput, KvOutput>,
    stop: Arc<AtomicBool>,
) -> usize {
    let id = c as u64;
    let own = format!("appends-{c}");
    let (mut appends, mut puts) = (0, 0);
    while !stop.load(Ordering::Relaxed) {
        let shared = format!("k{}", sim::rng(|r| r.random_range(0..SHARED_KEYS)));
        let call = recorder.call();
        match sim::rng(|r| r.random_range(0..10)) {
            0..3 => {
                let value = clerk.get(&shared).await;
                let output = KvOutput {
                    value: KvValue::new(&value),
                };
                recorder.record(id, KvInput::Get { key: shared }, call, output);
            }
            3..6 => {
                let value = format!("c{c}-{puts}");
                puts += 1;
                clerk.put(&shared, &value).await;
                let input = KvInput::Put { key: shared, value };
                recorder.record(id, input, call, KvOutput::default());
            }
            _ => {
                let value = format!("x {c} {appends} y");
                appends += 1;
                clerk.append(&own, &value).await;
                let input = KvInput::Append {
                    key: own.clone(),
                    value,
                };
                recorder.record(id, input, call, KvOutput::default());
            }
        }
    }
    appends
}

/// The run's verdict: every acknowledged Append once and in order, and the history
/// linearizable. Returns the number of operations checked.
///
/// # Panics
/// When either check fails, with the servers' logs.
pub async fn check<K: KvClerk>(
    p: &Processes,
    mut clerk: K,
    recorder: &Recorder<KvInput, KvOutput>,
    appends: &[usize],
) -> usize {
    for (c, count) in appends.iter().enumerate() {
        let value = clerk.get(&format!("appends-{c}")).await;
        let checked = std::panic::catch_unwind(|| check_client_appends(c, &value, *count));
        if checked.is_err() {
            panic!(
                "client {c}'s appends are wrong; the servers' logs end:\n{}",
                p.logs()
            );
        }
    }
    let history = recorder.take();
    let ops = history.len();
    let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_linearizable(&KvModel::new(), &history, Duration::from_secs(10))
    }));
    if verdict.is_err() {
        panic!("not linearizable; the servers' logs end:\n{}", p.logs());
    }
    ops
}

/// Runs `clients` clients made by `clerk` against the cluster while the nemesis works on
/// `targets` for `seconds`, then checks; prints the course-style line.
pub async fn run<K: KvClerk>(
    p: &mut Processes,
    targets: &[usize],
    seconds: u64,
    clients: usize,
    clerk: impl Fn() -> K,
) {
    let recorder = Recorder::new();
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..clients)
        .map(|c| sim::spawn(client(c, clerk(), recorder.clone(), stop.clone())))
        .collect();
    let until = sim::now() + Duration::from_secs(seconds);
    let faults = nemesis(p, targets, until).await;
    stop.store(true, Ordering::Relaxed);
    let mut appends = Vec::new();
    for task in tasks {
        appends.push(task.await.expect("a client task"));
    }
    let ops = check(p, clerk(), &recorder, &appends).await;
    println!(
        "  ... Passed -- {seconds} s of load, {} servers, {ops} operations ({} appends checked), \
         {} kills, {} partitions",
        p.len(),
        appends.iter().sum::<usize>(),
        faults.kills,
        faults.partitions
    );
}
