//! The course's `raft1/test.go` and `raft1/server.go`: `n` Raft peers, each with the
//! tester's applier beside it (the course's `rfsrv`), as servers of group 0 of the 2026
//! framework. Killing one stops its Raft and its applier together; a restart starts both
//! from the checkpoint and connects the server at once. The checks are the 2024
//! tester's; `one` counts each agreement as an operation, for the passed line.

use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use common::tester1::{Config, Daemon, ServerGrp};
use lab3_raft::Raft;
use lab3_raft::tester::{AppliedLogs, Edition, Peers, RaftHarness, start_peer};
use std::sync::Arc;

/// One server: a Raft peer and the tester's applier reading its apply channel.
#[derive(Clone)]
pub struct Rfsrv(Raft);

impl Daemon for Rfsrv {
    fn services(&self) -> Vec<Service> {
        vec![self.0.service()]
    }
}

/// One Lab 3 test (`makeTest(t, n, reliable, snapshot)`).
pub struct Test {
    cfg: Arc<Config>,
    grp: Arc<ServerGrp<Rfsrv>>,
    applied: AppliedLogs,
}

impl Test {
    /// `n` peers, started and connected; dead ends fail after up to 7 s (long delays),
    /// and with `snapshot` each applier snapshots every 10 entries.
    pub fn new(n: usize, reliable: bool, snapshot: bool) -> Test {
        let cfg = Arc::new(Config::new());
        let applied = AppliedLogs::new(n);
        let start = {
            let applied = applied.clone();
            move |ends: Vec<ClientEnd>, _gid, me, persister: Arc<dyn Persister>| {
                Rfsrv(start_peer(ends, me, persister, &applied, snapshot, None))
            }
        };
        let grp = Arc::new(ServerGrp::new(cfg.net(), 0, n, Box::new(start)));
        grp.start_servers();
        cfg.set_reliable(reliable);
        cfg.net().set_long_delays(true);
        Test { cfg, grp, applied }
    }

    /// The framework: network, counts, lines.
    pub fn cfg(&self) -> &Config {
        &self.cfg
    }

    /// Kills the servers in `list` (`kill`).
    pub fn kill(&self, list: &[usize]) {
        self.grp.kill(list);
    }

    /// Restarts the servers in `list` and connects each (`restart`).
    pub fn restart_all(&self, list: &[usize]) {
        for &i in list {
            self.grp.start_server(i);
            self.grp.connect_one(i);
        }
    }

    /// The passed line, then every server stops (`cleanup`).
    pub fn cleanup(&self) {
        self.end();
        self.grp.shutdown();
    }
}

impl Peers for Test {
    fn n(&self) -> usize {
        self.grp.n()
    }

    fn is_connected(&self, i: usize) -> bool {
        self.grp.is_connected(i)
    }

    fn raft(&self, i: usize) -> Option<Raft> {
        self.grp.server(i).map(|s| s.0)
    }

    fn applied_logs(&self) -> &AppliedLogs {
        &self.applied
    }
}

impl RaftHarness for Test {
    const EDITION: Edition = Edition::Y2026;

    fn make(n: usize, reliable: bool, snapshot: bool) -> Test {
        Test::new(n, reliable, snapshot)
    }

    fn begin(&mut self, desc: &str) {
        self.cfg.begin(desc);
    }

    fn end(&self) {
        self.cfg.end(self.grp.n());
    }

    fn connect(&mut self, i: usize) {
        self.grp.connect_one(i);
    }

    fn disconnect(&mut self, i: usize) {
        self.grp.disconnect_all(i);
    }

    fn crash(&mut self, i: usize) {
        self.kill(&[i]);
    }

    fn restart(&mut self, i: usize) {
        self.restart_all(&[i]);
    }

    fn rpc_count(&self, i: usize) -> u64 {
        self.grp.rpc_count(i)
    }

    fn bytes_total(&self) -> u64 {
        self.cfg.bytes_total()
    }

    fn raft_size(&self) -> usize {
        self.grp.raft_size()
    }

    fn set_reliable(&self, reliable: bool) {
        self.cfg.set_reliable(reliable);
    }

    fn set_long_reordering(&self, on: bool) {
        self.cfg.net().set_long_reordering(on);
    }

    fn agreed(&self) {
        self.cfg.op_inc();
    }
}
