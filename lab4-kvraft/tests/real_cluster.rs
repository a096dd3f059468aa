//! The real cluster under a nemesis, Jepsen-style, on loopback: 5 `kvraft-server`
//! processes over TCP with their state on disk (fsync on, snapshots every few KB), clients
//! doing random Put, Append and Get, while the nemesis kills servers with SIGKILL and
//! restarts them, and cuts the cluster in two through the servers' fault hook. Then the
//! recorded history must be linearizable, and every acknowledged Append must be in its
//! key exactly once, in order.
//!
//! Real processes and the real clock: the test runs for `LAB_REAL_SECONDS` seconds of
//! load (default 12, CI's short form; the long form is 30:
//! `LAB_REAL_SECONDS=30 scripts/stress_test.sh --realtime 20 lab4-kvraft real_cluster`).

use common::kv_checks::check_client_appends;
use common::labrpc::ClientEnd;
use common::linearizability::kv::{KvInput, KvModel, KvOutput, KvValue};
use common::linearizability::{Recorder, assert_linearizable};
use common::net::process::client_ends;
use common::net::{CallConfig, ClusterKey, admin};
use common::sim::{self, RngExt};
use lab4_kvraft::Clerk;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const SERVERS: usize = 5;
const CLIENTS: usize = 5;
const SHARED_KEYS: u32 = 3;

/// The servers' processes and their files.
struct Cluster {
    dir: PathBuf,
    peers: Vec<String>,
    children: Vec<Option<Child>>,
    ends: Vec<ClientEnd>,
}

/// Free loopback ports, as the OS hands them out (a port could be taken again between
/// here and the server's bind; the test would then fail at the start, not wrongly pass).
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

impl Cluster {
    fn start(dir: PathBuf) -> Cluster {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let key_path = dir.join("cluster.key");
        std::fs::write(&key_path, "a test cluster's key, 32 bytes!!").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let key = Arc::new(ClusterKey::from_file(&key_path).unwrap());
        let peers: Vec<String> = free_ports(SERVERS)
            .into_iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        let config = CallConfig {
            timeout: Duration::from_secs(1),
            ..CallConfig::default()
        };
        let ends = client_ends(&peers, &key, &config);
        let mut cluster = Cluster {
            dir,
            peers,
            children: (0..SERVERS).map(|_| None).collect(),
            ends,
        };
        for i in 0..SERVERS {
            cluster.launch(i);
        }
        cluster
    }

    fn key_path(&self) -> PathBuf {
        self.dir.join("cluster.key")
    }

    fn launch(&mut self, i: usize) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("log-{i}")))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kvraft-server"))
            .args(["--me", &i.to_string(), "--peers", &self.peers.join(",")])
            .arg("--data")
            .arg(self.dir.join(format!("data-{i}")))
            .arg("--key")
            .arg(self.key_path())
            .args(["--max-raft-state", "4000", "--allow-faults"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.children[i] = Some(child);
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.children[i].take() {
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        }
    }

    fn is_up(&self, i: usize) -> bool {
        self.children[i].is_some()
    }

    /// Cuts the servers in `side` off from the others (an empty side heals).
    async fn partition(&self, side: &[usize]) {
        for s in 0..SERVERS {
            let inside = side.contains(&s);
            let cut: Vec<u32> = (0..SERVERS)
                .filter(|p| !side.is_empty() && side.contains(p) != inside)
                .map(|p| p as u32)
                .collect();
            if self.is_up(s) {
                // A server that does not answer now starts healed when it restarts.
                let _ = self.ends[s].call(admin::ISOLATE, &cut).await;
            }
        }
    }

    /// The tail of every server's log, for a failure's message.
    fn logs(&self) -> String {
        let mut out = String::new();
        for i in 0..SERVERS {
            let log =
                std::fs::read_to_string(self.dir.join(format!("log-{i}"))).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(5).collect();
            out += &format!(
                "server {i}:\n  {}\n",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n  ")
            );
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..SERVERS {
            self.kill(i);
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn load_seconds() -> u64 {
    std::env::var("LAB_REAL_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s| (1..=3600).contains(s))
        .unwrap_or(12)
}

/// One client: random operations until `stop`; its appends go to its own key, `x c j y`
/// as the course's tests append them. Returns how many appends it made.
async fn client(
    c: usize,
    ends: Vec<ClientEnd>,
    recorder: Recorder<KvInput, KvOutput>,
    stop: Arc<AtomicBool>,
) -> usize {
    let mut clerk = Clerk::new(ends);
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
                recorder.record(
                    id,
                    KvInput::Put { key: shared, value },
                    call,
                    KvOutput::default(),
                );
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

/// The nemesis: until `until`, every second or so, one fault: kill one server, or a
/// majority at once, or all of them (what only the disk survives), and bring the dead
/// back a little later; or cut the cluster in two and heal it.
async fn nemesis(cluster: &mut Cluster, until: Duration) -> (u32, u32) {
    let (mut kills, mut partitions) = (0, 0);
    // The kinds of fault take turns, so even the short form meets each of them: one
    // server killed, a partition, a majority killed, a partition, every server killed.
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
            2 => Some(SERVERS / 2 + 1),
            4 => Some(SERVERS),
            _ => None,
        };
        match kill {
            Some(many) => {
                let mut up: Vec<usize> = (0..SERVERS).filter(|i| cluster.is_up(*i)).collect();
                for _ in 0..many.min(up.len()) {
                    let i = up.swap_remove(sim::rng(|r| r.random_range(0..up.len())));
                    cluster.kill(i);
                    kills += 1;
                }
            }
            None => {
                let mut side: Vec<usize> = (0..SERVERS)
                    .filter(|_| sim::rng(|r| r.random_bool(0.4)))
                    .collect();
                if side.is_empty() || side.len() == SERVERS {
                    side = vec![sim::rng(|r| r.random_range(0..SERVERS))];
                }
                cluster.partition(&side).await;
                partitions += 1;
                sim::sleep(Duration::from_millis(sim::rng(|r| {
                    r.random_range(500..2000)
                })))
                .await;
                cluster.partition(&[]).await;
            }
        }
        sim::sleep(Duration::from_millis(sim::rng(|r| {
            r.random_range(200..800)
        })))
        .await;
        for i in 0..SERVERS {
            if !cluster.is_up(i) {
                cluster.launch(i);
            }
        }
    }
    cluster.partition(&[]).await;
    (kills, partitions)
}

fn scratch_dir() -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    target.join(format!("real-cluster-{}", std::process::id()))
}

#[test]
fn real_cluster_under_kills_and_partitions_4() {
    let seconds = load_seconds();
    let limit = Duration::from_secs(seconds + 120);
    sim::Builder::from_env()
        .realtime(true)
        .time_limit(limit)
        .run(|| async move {
            let mut cluster = Cluster::start(scratch_dir());
            let recorder = Recorder::new();
            let stop = Arc::new(AtomicBool::new(false));
            let clients: Vec<_> = (0..CLIENTS)
                .map(|c| {
                    sim::spawn(client(
                        c,
                        cluster.ends.clone(),
                        recorder.clone(),
                        stop.clone(),
                    ))
                })
                .collect();
            let until = sim::now() + Duration::from_secs(seconds);
            let (kills, partitions) = nemesis(&mut cluster, until).await;
            stop.store(true, Ordering::Relaxed);
            let mut appends = Vec::new();
            for c in clients {
                appends.push(c.await.unwrap());
            }
            // Every acknowledged Append, once each, in order.
            let mut clerk = Clerk::new(cluster.ends.clone());
            for (c, count) in appends.iter().enumerate() {
                let value = clerk.get(&format!("appends-{c}")).await;
                check_client_appends(c, &value, *count);
            }
            let history = recorder.take();
            let ops = history.len();
            let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                assert_linearizable(&KvModel::new(), &history, Duration::from_secs(10))
            }));
            if verdict.is_err() {
                panic!(
                    "not linearizable; the servers' logs end:\n{}",
                    cluster.logs()
                );
            }
            println!(
                "  ... Passed -- {seconds} s of load, {SERVERS} servers, {ops} operations \
                 ({} appends checked), {kills} kills, {partitions} partitions",
                appends.iter().sum::<usize>()
            );
        });
}
