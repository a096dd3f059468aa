//! The course's `rsm/test.go` and `rsm/server.go`: three servers, each an rsm driving a
//! counter (`rsmSrv`), and the tester's calls to them (`Submit`, the counter), which go
//! to a server directly, as the course's go over its daemon's socket: never lost, but
//! failing once the server has crashed.

use crate::rsm::{Rsm, StateMachine, decode_machine, encode_machine};
use common::codec::CodecError;
use common::kvtest::rpc::KvErr;
use common::labrpc::Service;
use common::sim;
use common::tester1::{Config, Daemon, ServerGrp};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Servers in an rsm test (`NSRV`).
pub const NSRV: usize = 3;

/// How long `onePartition` tries (`NSEC`).
pub const NSEC: Duration = Duration::from_secs(10);

/// The counter's requests (`Inc`, `Null`, and `Dec`, which must never commit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterOp {
    /// Adds one.
    Inc,
    /// Does nothing.
    Null,
    /// Submitted only to a leader cut off in a minority: applying it is a failure.
    Dec,
}

/// The counter's replies (`IncRep`, `NullRep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterRep {
    /// The counter after an `Inc`.
    IncRep {
        /// Its value.
        n: u64,
    },
    /// After a `Null`.
    NullRep,
}

/// The counter (`rsmSrv`'s state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    counter: u64,
}

impl StateMachine for Counter {
    type Command = CounterOp;
    type Output = CounterRep;

    fn apply(&mut self, op: CounterOp) -> CounterRep {
        match op {
            CounterOp::Inc => {
                self.counter += 1;
                CounterRep::IncRep { n: self.counter }
            }
            CounterOp::Null => CounterRep::NullRep,
            // The course's daemon dies with log.Fatalf; here the test fails at once.
            CounterOp::Dec => panic!("DoOp should execute only Inc and not {op:?}"),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        encode_machine(self)
    }

    fn restore(&mut self, snapshot: &[u8]) -> Result<(), CodecError> {
        decode_machine(self, snapshot)
    }
}

/// One server: its rsm and counter.
#[derive(Clone)]
pub struct RsmSrv(Rsm<Counter>);

impl Daemon for RsmSrv {
    fn services(&self) -> Vec<Service> {
        vec![self.0.raft().service()]
    }
}

/// One rsm test (`makeTest(t, maxraftstate)`).
pub struct Test {
    /// The network, counts, lines.
    pub cfg: Arc<Config>,
    /// The three servers.
    pub grp: Arc<ServerGrp<RsmSrv>>,
    /// The server that answered a Submit last (`ts.leader`).
    leader: AtomicUsize,
}

impl Test {
    /// Three servers on a reliable network, snapshotting at `max_raft_state` bytes.
    pub fn new(max_raft_state: Option<usize>) -> Test {
        let cfg = Arc::new(Config::new());
        let start = move |ends, _gid, me, persister| {
            RsmSrv(Rsm::make(
                ends,
                me,
                persister,
                max_raft_state,
                Counter::default(),
            ))
        };
        let grp = Arc::new(ServerGrp::new(cfg.net(), 0, NSRV, Box::new(start)));
        grp.start_servers();
        cfg.set_reliable(true);
        Test {
            cfg,
            grp,
            leader: AtomicUsize::new(0),
        }
    }

    /// The server that answered a Submit last.
    pub fn leader(&self) -> usize {
        self.leader.load(Ordering::Relaxed)
    }

    /// Submits `req` to server `i` directly (`RSMproxy.Submit`): `None` if the server is
    /// down or crashes first (the course's zero `Err` and nil result).
    pub async fn submit(&self, i: usize, req: CounterOp) -> Option<Result<CounterRep, KvErr>> {
        self.grp
            .control(i, |s| async move { s.0.submit(req).await })
            .await
    }

    /// Submits `req` to the connected servers of `p` (all if `None`) in turn, from the
    /// last leader, until one commits it; gives up after 10 s (`onePartition`).
    pub async fn one_partition(&self, p: Option<&[usize]>, req: CounterOp) -> Option<CounterRep> {
        let began = sim::now();
        while sim::now() - began < NSEC {
            let first = self.leader();
            for k in 0..NSRV {
                let i = (first + k) % NSRV;
                if !self.grp.is_connected(i) || p.is_some_and(|p| !p.contains(&i)) {
                    continue;
                }
                if let Some(Ok(rep)) = self.submit(i, req).await {
                    self.cfg.op_inc();
                    self.leader.store(i, Ordering::Relaxed);
                    return Some(rep);
                }
            }
            sim::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// An `Inc` through [`Test::one_partition`]: the counter it returned (0 if none did).
    pub async fn one_inc(&self) -> u64 {
        match self.one_partition(None, CounterOp::Inc).await {
            Some(CounterRep::IncRep { n }) => n,
            _ => 0,
        }
    }

    /// A `Null` through [`Test::one_partition`].
    pub async fn one_null(&self) {
        let _ = self.one_partition(None, CounterOp::Null).await;
    }

    /// Waits (about 30 s at most) until at least `n` servers' counters are `v`
    /// (`checkCounter`); every server is asked, connected or not.
    pub async fn check_counter(&self, v: u64, n: usize) {
        let mut pause = Duration::from_millis(10);
        let mut count = 0;
        for _ in 0..30 {
            count = 0;
            for i in 0..NSRV {
                let got = self
                    .grp
                    .control(i, |s| async move { s.0.with_machine(|c| c.counter) });
                if got.await == Some(v) {
                    count += 1;
                }
            }
            if count >= n {
                return;
            }
            sim::sleep(pause).await;
            if pause < Duration::from_secs(1) {
                pause *= 2;
            }
        }
        panic!("checkCounter: only {count} srvs have {v} instead of {n}");
    }

    /// Crashes the servers in `list` (`kill`).
    pub fn kill(&self, list: &[usize]) {
        self.grp.kill(list);
    }

    /// Restarts the servers in `list` and connects every server (`restart`).
    pub fn restart(&self, list: &[usize]) {
        self.grp.start_srvs(list);
        self.grp.connect_all();
    }

    /// The passed line, then every server stops (`cleanup`).
    pub fn cleanup(&self) {
        self.cfg.end(NSRV);
        self.grp.shutdown();
    }
}
