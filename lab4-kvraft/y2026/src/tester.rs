//! The course's `kvraft1/test.go`: `MakeTest` (the servers of group 0, the KV toolkit,
//! the title), `GenericTest` (rounds of clients racing to put, then a linearizability
//! check, partitions while they finish, crashes after) and `GenericTestSpeed`.

use crate::{Clerk, KvServer};
use common::kvtest::rpc::KvErr;
use common::kvtest::{
    ClntRes, ELECTION_TIMEOUT, KvClerk, KvTest, Stop, TestClerk, make_keys, partitioner,
};
use common::sim;
use common::tester1::{Config, ServerGrp};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One kvraft test.
pub struct Test {
    /// The network, counts, lines.
    pub cfg: Arc<Config>,
    /// The servers (group 0).
    pub grp: Arc<ServerGrp<KvServer>>,
    /// Clerks, recorded operations, workloads.
    pub ts: Arc<KvTest<Clerk>>,
    nclients: usize,
    crash: bool,
    partitions: bool,
    max_raft_state: i64,
}

impl Test {
    /// The course's `MakeTest(t, part, nclients, nservers, reliable, crash, partitions,
    /// maxraftstate, randomkeys)`: the servers, started and connected, and the title line
    /// printed at once. `max_raft_state` is the course's: -1 never snapshots.
    #[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
    pub fn new(
        part: &str,
        nclients: usize,
        nservers: usize,
        reliable: bool,
        crash: bool,
        partitions: bool,
        max_raft_state: i64,
        randomkeys: bool,
    ) -> Test {
        let cfg = Arc::new(Config::new());
        let limit = usize::try_from(max_raft_state).ok();
        let start = move |ends, _gid, me, persister| KvServer::start(ends, me, persister, limit);
        let grp = Arc::new(ServerGrp::new(cfg.net(), 0, nservers, Box::new(start)));
        grp.start_servers();
        cfg.set_reliable(reliable);
        let names = grp.srv_names().to_vec();
        let ts = Arc::new(KvTest::new(
            cfg.clone(),
            randomkeys,
            Arc::new(move |clnt| Clerk::new(clnt, names.clone())),
        ));
        let t = Test {
            cfg,
            grp,
            ts,
            nclients,
            crash,
            partitions,
            max_raft_state,
        };
        let mut title = "Test: ".to_string();
        for (on, what) in [
            (crash, "restarts, "),
            (partitions, "partitions, "),
            (max_raft_state != -1, "snapshots, "),
            (randomkeys, "random keys, "),
        ] {
            if on {
                title.push_str(what);
            }
        }
        title.push_str(if nclients > 1 {
            "many clients"
        } else {
            "one client"
        });
        title.push_str(&format!(" ({part})"));
        t.begin(&title);
        t
    }

    /// Prints a title line and starts counting (`Begin`).
    pub fn begin(&self, desc: &str) {
        self.cfg.begin(desc);
    }

    /// The passed line (`End`).
    pub fn end(&self) {
        self.cfg.end(self.grp.n());
    }

    /// The passed line, then every server stops (`Cleanup`).
    pub fn cleanup(&self) {
        self.end();
        self.cfg.delete_clients();
        self.grp.shutdown();
    }

    /// A clerk that may reach every server (`MakeClerk`).
    pub fn make_clerk(&self) -> TestClerk<Clerk> {
        self.ts.make_clerk()
    }

    /// A clerk given every server's name but able to reach only those in `list`
    /// (`MakeClerkTo`).
    pub fn make_clerk_to(&self, list: &[usize]) -> TestClerk<Clerk> {
        self.ts.make_clerk_to(&self.grp.srv_names_to(list))
    }

    /// The course's `GenericTest`, then `Cleanup`.
    pub async fn generic_test(&self) {
        const NITER: usize = 3;
        const T: Duration = Duration::from_secs(1);
        const NKEYS: usize = 100;
        let ck = Arc::new(self.make_clerk());
        let res = Arc::new(Mutex::new(ClntRes::default()));
        let keys: Arc<Vec<String>> = Arc::new(if self.ts.randomkeys() {
            make_keys(NKEYS)
        } else {
            vec!["k".to_string()]
        });
        let reliable = self.cfg.is_reliable() && !self.crash && !self.partitions;
        for i in 0..NITER {
            tracing::info!(target: "harness", iteration = i, "generic test");
            let clients = {
                let (ts, ck, res, keys) = (self.ts.clone(), ck.clone(), res.clone(), keys.clone());
                let nclients = self.nclients;
                sim::spawn(async move {
                    let k = keys.clone();
                    let rs = ts
                        .spawn_clients_and_wait(nclients, T, move |ts, cli, ck, done| {
                            let keys = k.clone();
                            async move { ts.one_client_put(cli, &ck, &keys, &done).await }
                        })
                        .await;
                    if !ts.randomkeys() {
                        let mut r = *res.lock().unwrap_or_else(|e| e.into_inner());
                        ts.check_put_concurrent(&*ck, &keys[0], &rs, &mut r, reliable)
                            .await;
                        *res.lock().unwrap_or_else(|e| e.into_inner()) = r;
                    }
                })
            };
            let mut split = None;
            if self.partitions {
                // Let the clients do some work without interruption.
                sim::sleep(Duration::from_secs(1)).await;
                let stop = Stop::new();
                split = Some((
                    stop.clone(),
                    sim::spawn(partitioner(self.grp.clone(), stop)),
                ));
            }
            sim::waiting("the clients", clients)
                .await
                .expect("the clients");
            self.ts.check_porcupine();
            if let Some((stop, task)) = split {
                stop.stop().await;
                sim::waiting("the partitioner", task)
                    .await
                    .expect("the partitioner");
                // A request sent to a minority returns once its server learns of a newer
                // term: reconnect, and give that term time to start.
                self.grp.connect_all();
                sim::sleep(ELECTION_TIMEOUT).await;
            }
            if self.crash {
                self.grp.shutdown();
                sim::sleep(ELECTION_TIMEOUT).await;
                self.grp.start_servers();
            }
            if let Ok(max) = usize::try_from(self.max_raft_state)
                && max > 0
            {
                let sz = self.grp.raft_size();
                assert!(sz <= 8 * max, "logs were not trimmed ({sz} > 8*{max})");
            }
            if self.max_raft_state < 0 {
                let ssz = self.grp.snapshot_size();
                assert!(
                    ssz == 0,
                    "snapshot too large ({ssz}), should not be used when maxraftstate = {}",
                    self.max_raft_state
                );
            }
        }
        self.cleanup();
    }

    /// The course's `GenericTestSpeed`: 1000 Puts in a row, at least 3 per 100 ms
    /// heartbeat interval on average, then `Cleanup`.
    pub async fn generic_test_speed(&self) {
        const NUM_OPS: u64 = 1000;
        const BIN: Duration = Duration::from_millis(5);
        const BINS: usize = 100;
        let ck = self.make_clerk();
        // Wait until a leader is elected and the servers are ready.
        let _ = ck.get("x").await;
        let start = sim::now();
        let mut histogram = [0u64; BINS];
        for i in 0..NUM_OPS {
            let t0 = sim::now();
            let err = ck.put("k", &i.to_string(), i).await;
            assert!(err == KvErr::Ok, "Put err {err}");
            let took = sim::now() - t0;
            let bin = (took.as_nanos() / BIN.as_nanos()) as usize;
            // The course's histogram has 100 bins of 5 ms: a Put of 500 ms or more
            // indexes past it and panics.
            assert!(
                bin < BINS,
                "runtime error: index out of range [{bin}] with length {BINS} (a Put took {took:?})"
            );
            histogram[bin] += 1;
        }
        let dur = sim::now() - start;
        let (_, ver, err) = ck.get("k").await;
        assert!(err == KvErr::Ok, "Get err {err}");
        assert!(ver == NUM_OPS, "Get too few ops {ver}");
        let heartbeat_interval = Duration::from_millis(100);
        let time_per_op = heartbeat_interval / 3;
        let per_op = dur / NUM_OPS as u32;
        println!("dur {per_op:?} {time_per_op:?}");
        for (bin, count) in histogram.iter().enumerate().filter(|(_, c)| **c > 0) {
            println!("{:?}: {count}", BIN * bin as u32);
        }
        assert!(
            dur <= time_per_op * NUM_OPS as u32,
            "Operations completed too slowly {per_op:?}/op > {time_per_op:?}/op"
        );
        self.cleanup();
    }
}
