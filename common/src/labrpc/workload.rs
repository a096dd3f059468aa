//! A busy, adversarial workload on the fake network: many clients with concurrent calls,
//! an unreliable network with long reordering, and a nemesis that disables ends and
//! crashes and restarts servers. The determinism test replays it to compare traces, and
//! the demo shows it.

use super::{Network, Rpc, Server, Service};
use crate::sim::{self, RngExt};
use rand::seq::SliceRandom;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the workload did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkloadStats {
    /// Calls made by clients.
    pub calls: u64,
    /// Calls that got a reply.
    pub replies: u64,
    /// Calls that failed, by reason.
    pub failures: BTreeMap<String, u64>,
    /// Nemesis actions taken.
    pub faults: u64,
    /// The network's total request count.
    pub total_count: u64,
    /// The network's total byte count.
    pub total_bytes: u64,
    /// Requests delivered to each server, over all its restarts.
    pub per_server: Vec<u64>,
}

/// `Busy.Add`: adds to the server's counter and answers the new total.
const ADD: Rpc<u64, u64> = Rpc::new("Busy", "Add");

/// `Busy.Echo`: answers its argument after a random time.
const ECHO: Rpc<Vec<u8>, Vec<u8>> = Rpc::new("Busy", "Echo");

/// A service whose `Add` keeps a counter and whose `Echo` takes a random time.
fn service(counter: Arc<AtomicU64>) -> Service {
    Service::new("Busy")
        .handle(ADD, move |delta| {
            let counter = counter.clone();
            async move { counter.fetch_add(delta, Ordering::Relaxed) + delta }
        })
        .handle(ECHO, |payload| async move {
            let ms = sim::rng(|r| r.random_range(0..5));
            sim::sleep(Duration::from_millis(ms)).await;
            payload
        })
}

/// Every server instance ever started, by slot, so deliveries count across restarts.
type Instances = Arc<Mutex<Vec<Vec<Server>>>>;

fn start_server(net: &Network, instances: &Instances, s: usize) {
    let server = Server::new();
    server.add_service(service(Arc::new(AtomicU64::new(0))));
    net.add_server(&format!("s{s}"), server.clone());
    super::lock(instances)[s].push(server);
}

/// Runs `clients` clients against `servers` servers for `duration` of virtual time, with
/// faults, and returns what happened. Must run inside a world.
pub async fn busy(servers: usize, clients: usize, duration: Duration) -> WorkloadStats {
    let net = Network::new();
    net.set_reliable(false);
    let instances: Instances = Arc::new(Mutex::new(vec![Vec::new(); servers]));
    for s in 0..servers {
        start_server(&net, &instances, s);
    }
    let stats = Arc::new(Mutex::new(WorkloadStats::default()));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let ends: Vec<_> = (0..servers)
            .map(|s| {
                let name = format!("c{c}-s{s}");
                let end = net.make_end(&name);
                net.connect(&name, &format!("s{s}"));
                net.enable(&name, true);
                end
            })
            .collect();
        // Each client keeps up to six calls in flight.
        for _ in 0..6 {
            let (ends, stats) = (ends.clone(), stats.clone());
            tasks.push(tokio::spawn(async move {
                while sim::now() < duration {
                    let (s, echo, n) = sim::rng(|r| {
                        (
                            r.random_range(0..ends.len()),
                            r.random_bool(0.5),
                            r.random_range(1..64u64),
                        )
                    });
                    let result = if echo {
                        let payload = vec![7u8; n as usize];
                        ends[s].call(ECHO, &payload).await.map(|_| ())
                    } else {
                        ends[s].call(ADD, &n).await.map(|_| ())
                    };
                    let mut st = super::lock(&stats);
                    st.calls += 1;
                    match result {
                        Ok(()) => st.replies += 1,
                        Err(e) => *st.failures.entry(format!("{e:?}")).or_default() += 1,
                    }
                }
            }));
        }
    }
    let nemesis = {
        let (net, stats, instances) = (net.clone(), stats.clone(), instances.clone());
        tokio::spawn(async move {
            // Actions come in rounds of all six kinds in a random order, so that every run
            // has each kind of fault (drawing each action alone, some seeds had none of a
            // kind, and the determinism test saw too few kinds of failure).
            let mut round: Vec<u32> = Vec::new();
            while sim::now() < duration {
                let pause = sim::rng(|r| r.random_range(50..400));
                sim::sleep(Duration::from_millis(pause)).await;
                if round.is_empty() {
                    round = (0..6).collect();
                    sim::rng(|r| round.shuffle(r));
                }
                let action = round.pop().unwrap_or_default();
                let (c, s, on) = sim::rng(|r| {
                    (
                        r.random_range(0..clients),
                        r.random_range(0..servers),
                        r.random_bool(0.5),
                    )
                });
                let end = format!("c{c}-s{s}");
                match action {
                    0 => net.enable(&end, false),
                    1 => net.enable(&end, true),
                    2 => net.delete_server(&format!("s{s}")),
                    3 => start_server(&net, &instances, s),
                    4 => net.set_reliable(on),
                    _ => net.set_long_reordering(on),
                }
                super::lock(&stats).faults += 1;
            }
            // Heal, so the clients' last calls can finish.
            for s in 0..servers {
                start_server(&net, &instances, s);
            }
        })
    };
    for t in tasks {
        let _ = t.await;
    }
    let _ = nemesis.await;
    let mut st = super::lock(&stats).clone();
    st.total_count = net.total_count();
    st.total_bytes = net.total_bytes();
    st.per_server = super::lock(&instances)
        .iter()
        .map(|slot| slot.iter().map(Server::count).sum())
        .collect();
    st
}
