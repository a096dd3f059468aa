//! The course's generic Lab 4 tests, `GenericTest` and `GenericTestSpeed`, which most 4A
//! and 4B tests are instances of.

use super::{Client, ELECTION_TIMEOUT, Tester, check_client_appends};
use common::sim::{self, RngExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Iterations of the generic test (the course's 3).
const ITERATIONS: usize = 3;

/// How long clients run in each iteration (the course's 5 s).
const CLIENT_TIME: Duration = Duration::from_secs(5);

/// The parameters of the course's `GenericTest`.
#[derive(Debug, Clone, Copy)]
pub struct Generic {
    /// `"4A"` or `"4B"`.
    pub part: &'static str,
    /// Concurrent clients.
    pub clients: usize,
    /// Servers.
    pub servers: usize,
    /// The network loses and delays messages.
    pub unreliable: bool,
    /// All servers crash and restart at the end of each iteration.
    pub crash: bool,
    /// A partitioner splits the servers at random while clients run.
    pub partitions: bool,
    /// Snapshot threshold; `None` is the course's -1.
    pub max_raft_state: Option<usize>,
    /// Clients use random keys (and Puts), so their reads cannot be checked one by one;
    /// only the linearizability check judges them.
    pub random_keys: bool,
}

impl Generic {
    /// Clients on servers of a reliable network, no crashes, no partitions, fixed keys.
    pub fn new(
        part: &'static str,
        clients: usize,
        servers: usize,
        max_raft_state: Option<usize>,
    ) -> Generic {
        Generic {
            part,
            clients,
            servers,
            unreliable: false,
            crash: false,
            partitions: false,
            max_raft_state,
            random_keys: false,
        }
    }

    /// With an unreliable network.
    pub fn unreliable(self) -> Generic {
        Generic {
            unreliable: true,
            ..self
        }
    }

    /// With every server crashing and restarting at the end of each iteration.
    pub fn crash(self) -> Generic {
        Generic {
            crash: true,
            ..self
        }
    }

    /// With a partitioner.
    pub fn partitions(self) -> Generic {
        Generic {
            partitions: true,
            ..self
        }
    }

    /// With random keys.
    pub fn random_keys(self) -> Generic {
        Generic {
            random_keys: true,
            ..self
        }
    }

    /// Runs the test in a simulated world of its own.
    pub fn run(self) {
        sim::run(move || generic_test(self));
    }

    /// The course's title for these parameters.
    pub fn title(&self) -> String {
        let mut title = "Test: ".to_string();
        for (on, words) in [
            (self.unreliable, "unreliable net, "),
            (self.crash, "restarts, "),
            (self.partitions, "partitions, "),
            (self.max_raft_state.is_some(), "snapshots, "),
            (self.random_keys, "random keys, "),
        ] {
            if on {
                title.push_str(words);
            }
        }
        title.push_str(if self.clients > 1 {
            "many clients"
        } else {
            "one client"
        });
        title.push_str(&format!(" ({})", self.part));
        title
    }
}

/// The course's `GenericTest`; see `lab-tests.md` §5.2.
pub async fn generic_test(g: Generic) {
    let tester = Arc::new(Tester::new(g.servers, g.unreliable, g.max_raft_state));
    tester.begin(&g.title());
    let mut main = tester.make_client(&tester.all());
    for _ in 0..ITERATIONS {
        let done_clients = Arc::new(AtomicBool::new(false));
        let done_partitioner = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..g.clients)
            .map(|cli| {
                let (tester, done) = (tester.clone(), done_clients.clone());
                tokio::spawn(run_client(tester, done, cli, g))
            })
            .collect();
        let mut partitioner = None;
        if g.partitions {
            // Let the clients work a while without interruption.
            sim::sleep(Duration::from_secs(1)).await;
            let (tester, done) = (tester.clone(), done_partitioner.clone());
            partitioner = Some(tokio::spawn(run_partitioner(tester, done)));
        }
        sim::sleep(CLIENT_TIME).await;
        done_clients.store(true, Ordering::Relaxed);
        done_partitioner.store(true, Ordering::Relaxed);
        if let Some(partitioner) = partitioner {
            partitioner.await.expect("partitioner task");
            tester.cluster().connect_all();
            // A new term can start, and requests stranded in a minority fail or complete.
            sim::sleep(ELECTION_TIMEOUT).await;
        }
        if g.crash {
            for i in 0..g.servers {
                tester.cluster().shutdown_server(i);
            }
            // Clients may still be inside a call; it must finish after the restart.
            sim::sleep(ELECTION_TIMEOUT).await;
            for i in 0..g.servers {
                tester.cluster().start_server(i);
            }
            tester.cluster().connect_all();
        }
        for (cli, client) in clients.into_iter().enumerate() {
            let appends = client.await.expect("client task");
            let key = cli.to_string();
            let value = tester.get(&mut main, &key, 0).await;
            if !g.random_keys {
                check_client_appends(cli, &value, appends);
            }
        }
        match g.max_raft_state {
            Some(max) => {
                let size = tester.cluster().log_size();
                assert!(size <= 8 * max, "logs were not trimmed ({size} > 8*{max})");
            }
            None => {
                let size = tester.cluster().snapshot_size();
                assert!(
                    size == 0,
                    "snapshot too large ({size}), should not be used when maxraftstate = -1"
                );
            }
        }
    }
    tester.check_linearizable();
    tester.end();
    tester.cleanup();
}

/// One client of the generic test: about half Appends of `"x <cli> <j> y"`, with random
/// keys one in ten of the rest a Put, the rest Gets, which with fixed keys must read what
/// this client wrote. Returns the number of appends (and puts).
async fn run_client(tester: Arc<Tester>, done: Arc<AtomicBool>, cli: usize, g: Generic) -> usize {
    let mut client = tester.make_client(&tester.all());
    let id = cli as u64;
    let mut j = 0;
    let mut last = String::new();
    if !g.random_keys {
        tester.put(&mut client, &cli.to_string(), "", id).await;
    }
    while !done.load(Ordering::Relaxed) {
        let key = if g.random_keys {
            sim::rng(|r| r.random_range(0..g.clients)).to_string()
        } else {
            cli.to_string()
        };
        let value = format!("x {cli} {j} y");
        if sim::rng(|r| r.random_range(0..1000)) < 500 {
            tester.append(&mut client, &key, &value, id).await;
            if !g.random_keys {
                last.push_str(&value);
            }
            j += 1;
        } else if g.random_keys && sim::rng(|r| r.random_range(0..1000)) < 100 {
            // Only with random keys: it would break the fixed-key check of reads.
            tester.put(&mut client, &key, &value, id).await;
            j += 1;
        } else {
            let got = tester.get(&mut client, &key, id).await;
            assert!(
                g.random_keys || got == last,
                "get wrong value, key {key}, wanted:\n{last:?}\n, got\n{got:?}"
            );
        }
    }
    tester.delete_client(client);
    j
}

/// The course's `partitioner`: splits the servers into two random groups (each server by
/// a coin flip) every 1.0–1.2 s until told to stop.
async fn run_partitioner(tester: Arc<Tester>, done: Arc<AtomicBool>) {
    while !done.load(Ordering::Relaxed) {
        let mut groups = [Vec::new(), Vec::new()];
        for i in 0..tester.n() {
            groups[sim::rng(|r| r.random_range(0..2))].push(i);
        }
        tester.cluster().partition(&groups[0], &groups[1]);
        let extra = sim::rng(|r| r.random_range(0..200));
        sim::sleep(ELECTION_TIMEOUT + Duration::from_millis(extra)).await;
    }
}

/// Sequential appends in the speed test (the course's `numOps`).
const SPEED_OPS: usize = 1000;

/// The course's `GenericTestSpeed`: 1000 sequential appends from one clerk on 3 reliable
/// servers must average at most a third of a 100 ms heartbeat each, so a leader must send
/// new entries at once rather than wait for its next heartbeat.
pub async fn generic_test_speed(part: &'static str, max_raft_state: Option<usize>) {
    let tester = Tester::new(3, false, max_raft_state);
    tester.begin(&format!("Test: ops complete fast enough ({part})"));
    let mut client: Client = tester.make_client(&tester.all());
    // The first operation waits for a leader and for the servers to be ready.
    client.clerk().get("x").await;
    let start = sim::now();
    for i in 0..SPEED_OPS {
        client.clerk().append("x", &format!("x 0 {i} y")).await;
    }
    let took = sim::now() - start;
    let value = client.clerk().get("x").await;
    check_client_appends(0, &value, SPEED_OPS);
    // The course's bound: a 100 ms heartbeat, at least 3 operations per heartbeat.
    let per_op_limit = Duration::from_millis(100) / 3;
    assert!(
        took <= per_op_limit * SPEED_OPS as u32,
        "Operations completed too slowly {:?}/op > {per_op_limit:?}/op",
        took / SPEED_OPS as u32
    );
    tester.end();
    tester.cleanup();
}
