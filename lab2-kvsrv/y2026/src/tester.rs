//! The course's `kvsrv1/test.go`: one server, `server-0-0`, in group 0 of the 2026
//! framework, and the KV toolkit's clerks and history on it (`MakeTestKV`).

use crate::{Clerk, KvServer};
use common::kvtest::KvTest;
use common::tester1::{Config, ServerGrp, server_name};
use std::sync::Arc;

/// One Lab 2 test: the framework, the server's group, and the KV toolkit.
pub struct TestKv {
    /// The network, counts and lines.
    pub cfg: Arc<Config>,
    /// Group 0: the one server.
    pub grp: Arc<ServerGrp<KvServer>>,
    /// Clerks, recorded operations, workloads.
    pub ts: Arc<KvTest<Clerk>>,
}

impl TestKv {
    /// The course's `MakeTestKV(t, reliable)`.
    pub fn new(reliable: bool) -> TestKv {
        let cfg = Arc::new(Config::new());
        let grp = Arc::new(ServerGrp::new(
            cfg.net(),
            0,
            1,
            Box::new(|_ends, _gid, _me, _persister| KvServer::new()),
        ));
        grp.start_servers();
        cfg.set_reliable(reliable);
        let server = server_name(0, 0);
        let ts = Arc::new(KvTest::new(
            cfg.clone(),
            false,
            Arc::new(move |clnt| Clerk::new(clnt, &server)),
        ));
        TestKv { cfg, grp, ts }
    }

    /// Prints the title line and starts counting (`Begin`).
    pub fn begin(&self, desc: &str) {
        self.cfg.begin(desc);
    }

    /// The server, for the memory test.
    pub fn server(&self) -> KvServer {
        self.grp.server(0).expect("the server runs")
    }

    /// The passed line, then the server stops (`Cleanup`).
    pub fn cleanup(&self) {
        self.cfg.end(self.grp.n());
        self.cfg.delete_clients();
        self.grp.shutdown();
    }
}
