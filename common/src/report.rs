//! The course-style lines a ported test prints, so runs compare with the Go figures.
//!
//! `Test (3B): basic agreement ...` when it starts, and when it passes, e.g.
//! `  ... Passed --   1.2  3   16    4412    3` (virtual seconds, peers, RPCs, bytes,
//! commands). Each lab has the course's own columns: see [`Summary`].

use crate::labrpc::Network;
use crate::sim;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

/// Prints the line that opens a test: `<desc> ...`.
pub fn begin(desc: &str) {
    println!("{desc} ...");
    sim::timeline::note(sim::timeline::Lane::Test, desc);
}

/// Prints the line that opens a test of the 2026 edition, which names the network as it
/// is now: `<desc> (reliable network)...` or `<desc> (unreliable network)...`.
pub fn begin_on(desc: &str, reliable: bool) {
    let network = if reliable { "reliable" } else { "unreliable" };
    println!("{desc} ({network} network)...");
    sim::timeline::note(
        sim::timeline::Lane::Test,
        format!("{desc} ({network} network)"),
    );
}

/// The numbers of a passed test, in the column layout of its lab.
#[derive(Debug, Clone, Copy)]
pub enum Summary {
    /// Lab 3 (Raft): time, peers, RPCs, bytes, committed commands.
    Raft {
        /// Virtual time the test took.
        time: Duration,
        /// Number of peers.
        peers: usize,
        /// RPCs sent.
        rpcs: u64,
        /// Bytes of RPC arguments and delivered replies.
        bytes: u64,
        /// Commands committed.
        cmds: u64,
    },
    /// Labs 4 and 5 (KV on Raft): time, peers, RPCs (client RPCs included), KV operations.
    KvRaft {
        /// Virtual time the test took.
        time: Duration,
        /// Number of servers.
        peers: usize,
        /// RPCs sent.
        rpcs: u64,
        /// Clerk operations.
        ops: u64,
    },
    /// Every lab of the 2026 edition: one layout, labelled.
    Tester1 {
        /// Virtual time the test took.
        time: Duration,
        /// Servers of group 0 (1 in Lab 2, the one kvsrv).
        peers: usize,
        /// RPCs sent, clients' and servers' alike, lost ones included.
        rpcs: u64,
        /// The lab's operation count (successful `one()` calls in Lab 3, Submits in
        /// Lab 4A, wrapped clerk calls in the KV labs).
        ops: u64,
    },
    /// Lab 2 (single-server KV): time, RPCs, operations.
    KvSrv {
        /// Virtual time the test took.
        time: Duration,
        /// RPCs sent.
        rpcs: u64,
        /// Clerk operations.
        ops: u64,
    },
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Summary::Raft {
                time,
                peers,
                rpcs,
                bytes,
                cmds,
            } => write!(
                f,
                "  ... Passed --  {:4.1}  {peers} {rpcs:4} {bytes:7} {cmds:4}",
                time.as_secs_f64()
            ),
            Summary::KvRaft {
                time,
                peers,
                rpcs,
                ops,
            } => write!(
                f,
                "  ... Passed --  {:4.1}  {peers} {rpcs:5} {ops:4}",
                time.as_secs_f64()
            ),
            Summary::Tester1 {
                time,
                peers,
                rpcs,
                ops,
            } => write!(
                f,
                "  ... Passed --  time {:4.1}s #peers {peers} #RPCs {rpcs:5} #Ops {ops:4}",
                time.as_secs_f64()
            ),
            Summary::KvSrv { time, rpcs, ops } => write!(
                f,
                "  ... Passed -- t {:4.1} nrpc {rpcs:5} ops {ops:4}",
                time.as_secs_f64()
            ),
        }
    }
}

/// Prints the closing line of a passed test.
pub fn passed(summary: Summary) {
    println!("{summary}");
}

/// Where a test's figures start: the virtual time and the network's RPC and byte counts
/// when the test began, so that its passed line counts only what the test did. Every
/// tester keeps one; [`Baseline::mark`] takes `&self`, for testers shared by tasks.
#[derive(Debug, Default)]
pub struct Baseline(Mutex<(Duration, u64, u64)>);

impl Baseline {
    /// Starts counting from now.
    pub fn mark(&self, net: &Network) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) =
            (sim::now(), net.total_count(), net.total_bytes());
    }

    fn get(&self) -> (Duration, u64, u64) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Virtual time since the mark.
    pub fn elapsed(&self) -> Duration {
        sim::now() - self.get().0
    }

    /// RPCs sent on `net` since the mark.
    pub fn rpcs(&self, net: &Network) -> u64 {
        net.total_count() - self.get().1
    }

    /// Bytes sent on `net` since the mark.
    pub fn bytes(&self, net: &Network) -> u64 {
        net.total_bytes() - self.get().2
    }

    /// Prints the KV layout's passed line (Labs 4 and 5): time, `peers`, RPCs since the
    /// mark, and `ops`.
    pub fn passed_kv(&self, net: &Network, peers: usize, ops: u64) {
        passed(Summary::KvRaft {
            time: self.elapsed(),
            peers,
            rpcs: self.rpcs(net),
            ops,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_the_course_layout() {
        let raft = Summary::Raft {
            time: Duration::from_millis(1234),
            peers: 3,
            rpcs: 16,
            bytes: 4412,
            cmds: 3,
        };
        assert_eq!(
            raft.to_string(),
            "  ... Passed --   1.2  3   16    4412    3"
        );
        let kv = Summary::KvRaft {
            time: Duration::from_secs(15),
            peers: 5,
            rpcs: 9876,
            ops: 321,
        };
        assert_eq!(kv.to_string(), "  ... Passed --  15.0  5  9876  321");
        let srv = Summary::KvSrv {
            time: Duration::from_millis(500),
            rpcs: 12,
            ops: 7,
        };
        assert_eq!(
            srv.to_string(),
            "  ... Passed -- t  0.5 nrpc    12 ops    7"
        );
        let y2026 = Summary::Tester1 {
            time: Duration::from_millis(3500),
            peers: 3,
            rpcs: 32,
            ops: 0,
        };
        assert_eq!(
            y2026.to_string(),
            "  ... Passed --  time  3.5s #peers 3 #RPCs    32 #Ops    0"
        );
    }
}
