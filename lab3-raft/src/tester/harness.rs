//! [`RaftHarness`]: what the course's Lab 3 tests do to a cluster, the same in both
//! editions, so that a test whose scenario did not change from 2024 to 2026 is written
//! once ([`super::scenarios`]) and run on each edition's tester. The testers differ in
//! how they report (the 2024 and 2026 lines), crash (the 2024 `crash1`, the 2026
//! abrupt kill) and restart (the 2026 restart connects at once).

use super::checks::{self, Peers};
use std::future::Future;

/// Which course a tester is of: where a shared scenario's messages differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// The 2024 course (`raft/config.go`).
    Y2024,
    /// The 2026 course (`raft1/test.go` on `tester1`).
    Y2026,
}

/// A Lab 3 tester, as the shared scenarios drive it. `&mut self` where the 2024 tester
/// changes its cluster.
pub trait RaftHarness: Peers + Send + Sync + Sized + 'static {
    /// The course it belongs to.
    const EDITION: Edition;

    /// `n` peers, all started and connected, on a reliable network or not, each with an
    /// applier that snapshots every [`super::SNAPSHOT_INTERVAL`] entries if `snapshot`.
    fn make(n: usize, reliable: bool, snapshot: bool) -> Self;

    /// Prints the title line and starts counting.
    fn begin(&mut self, desc: &str);
    /// Prints the passed line.
    fn end(&self);
    /// Connects peer `i` to the connected peers.
    fn connect(&mut self, i: usize);
    /// Cuts peer `i` off.
    fn disconnect(&mut self, i: usize);
    /// Crashes peer `i`, keeping what it persisted.
    fn crash(&mut self, i: usize);
    /// Restarts peer `i` from what it persisted, connected.
    fn restart(&mut self, i: usize);
    /// RPCs delivered to peer `i`.
    fn rpc_count(&self, i: usize) -> u64;
    /// Bytes sent on the network so far.
    fn bytes_total(&self) -> u64;
    /// The largest persisted Raft state.
    fn raft_size(&self) -> usize;
    /// Makes the network reliable or not.
    fn set_reliable(&self, reliable: bool);
    /// Holds back most replies for long, or not.
    fn set_long_reordering(&self, on: bool);
    /// Called after each successful `one` (the 2026 tester counts them).
    fn agreed(&self) {}

    /// The course's `checkOneLeader`.
    fn check_one_leader(&self) -> impl Future<Output = usize> + Send {
        checks::check_one_leader(self)
    }

    /// The course's `checkTerms`.
    #[track_caller]
    fn check_terms(&self) -> u64 {
        checks::check_terms(self)
    }

    /// The course's `checkNoLeader`.
    #[track_caller]
    fn check_no_leader(&self) {
        checks::check_no_leader(self)
    }

    /// The course's `nCommitted`.
    fn n_committed(&self, index: u64) -> (usize, Option<Vec<u8>>) {
        checks::n_committed(self, index)
    }

    /// The course's `wait`.
    fn wait(
        &self,
        index: u64,
        n: usize,
        start_term: Option<u64>,
    ) -> impl Future<Output = Option<Vec<u8>>> + Send {
        checks::wait(self, index, n, start_term)
    }

    /// The course's `one`.
    fn one(
        &self,
        command: Vec<u8>,
        expected: usize,
        retry: bool,
    ) -> impl Future<Output = u64> + Send {
        async move {
            let index = checks::one(self, command, expected, retry).await;
            self.agreed();
            index
        }
    }
}
