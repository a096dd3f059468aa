//! The 2026 framework's crash: abrupt (every task of the server stops at once, whatever it
//! waits on) and from a checkpoint (nothing written afterwards reaches the successor).

use common::labrpc::{Rpc, Service};
use common::persister::Persister;
use common::sim;
use common::tester1::{Config, Daemon, ServerGrp};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const PING: Rpc<(), u64> = Rpc::new("Echo", "Ping");

/// A server with a background task that counts and saves its count every 10 ms.
#[derive(Clone)]
struct Ticker {
    ticks: Arc<AtomicU64>,
}

impl Daemon for Ticker {
    fn services(&self) -> Vec<Service> {
        let ticks = self.ticks.clone();
        vec![Service::new("Echo").handle(PING, move |()| {
            let ticks = ticks.clone();
            async move {
                // A handler that would answer long after the crash.
                sim::sleep(Duration::from_secs(5)).await;
                ticks.load(Ordering::Relaxed)
            }
        })]
    }
}

fn start(
    ticks: Arc<AtomicU64>,
) -> impl Fn(Vec<common::labrpc::ClientEnd>, u64, usize, Arc<dyn Persister>) -> Ticker {
    move |_ends, _gid, _me, persister| {
        let saved = persister.read_raft_state();
        let from = if saved.is_empty() {
            0
        } else {
            u64::from_le_bytes(saved.try_into().expect("8 bytes"))
        };
        ticks.store(from, Ordering::Relaxed);
        let t = ticks.clone();
        sim::spawn(async move {
            loop {
                sim::sleep(Duration::from_millis(10)).await;
                let n = t.fetch_add(1, Ordering::Relaxed) + 1;
                persister.save(n.to_le_bytes().to_vec(), Arc::from(&[][..]));
            }
        });
        Ticker {
            ticks: ticks.clone(),
        }
    }
}

#[test]
fn a_crash_stops_every_task_at_once_and_keeps_the_checkpoint() {
    sim::run(|| async {
        let cfg = Config::new();
        let ticks = Arc::new(AtomicU64::new(0));
        let grp = Arc::new(ServerGrp::new(
            cfg.net(),
            0,
            1,
            Box::new(start(ticks.clone())),
        ));
        grp.start_servers();
        let clnt = cfg.make_client();
        let call = {
            let clnt = clnt.clone();
            sim::spawn(async move { clnt.call("server-0-0", PING, &()).await })
        };
        sim::sleep(Duration::from_millis(1005)).await;
        grp.shutdown_server(0);
        let at_crash = ticks.load(Ordering::Relaxed);
        assert_eq!(grp.raft_size(), 8);
        sim::sleep(Duration::from_secs(10)).await;
        assert_eq!(
            ticks.load(Ordering::Relaxed),
            at_crash,
            "a task of the crashed server ran on"
        );
        assert!(
            call.await.expect("caller").is_err(),
            "the crashed server answered"
        );
        grp.start_server(0);
        assert_eq!(
            ticks.load(Ordering::Relaxed),
            at_crash,
            "the restart did not start from the checkpoint"
        );
        grp.shutdown();
    });
}
