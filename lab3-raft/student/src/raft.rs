//! [`Raft`]: one Raft peer (the course's `raft.go`). The tester (and Lab 4's servers) make
//! peers with [`Raft::new`], send them commands with [`Raft::start`], ask them
//! [`Raft::get_state`], and read what they commit from the apply channel.
//!
//! How you build it is yours: a lock around the state and tasks that take it, or a pure
//! state machine with a thin driver. What the tests need:
//! - every task of a peer is spawned with `common::sim::spawn` (or `tokio::spawn`) and
//!   stops once the peer is killed; time comes from `common::sim::sleep` and
//!   `common::sim::now` (virtual in the tests), randomness from `common::sim::rng`;
//! - no lock held across an `.await`, and none held while sending on the apply channel:
//!   the tester's reader calls [`Raft::snapshot`] before it reads the next message;
//! - the state Figure 2 calls persistent is saved with `persister.save(state, snapshot)`
//!   before the peer answers or sends anything that depends on it (3C). `save` replaces
//!   both the state and the snapshot: pass the current snapshot every time, or it is
//!   erased. `common::codec::{encode, decode}` turn a serde type into bytes and back.

use common::ApplyMsg;
use common::labrpc::{ClientEnd, Service};
use common::persister::Persister;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::mpsc::Sender;

/// A Raft peer: a cheap, cloneable handle (the course's `*Raft`); every clone is the same
/// peer.
#[derive(Clone)]
pub struct Raft {
    dead: Arc<AtomicBool>,
    // Lab 3A, 3B, 3C: the state of Figure 2, and what your tasks share.
}

impl Raft {
    /// Starts peer `me` of the cluster whose ends are `peers` (one per peer, in peer order;
    /// `peers[me]` is this peer's own and is never called). Restores the state saved in
    /// `persister` (3C) and its snapshot (3D); on a fresh persister both are empty. Every
    /// committed entry goes to `apply_tx`, in index order, as an [`ApplyMsg::Command`]
    /// (and, from 3D, an installed snapshot as an [`ApplyMsg::Snapshot`]). The channel
    /// holds one message: a send waits until the service has taken the one before.
    ///
    /// Must return at once: start long-running work (the election timer, heartbeats,
    /// sending to the apply channel) as tasks. A ticker that sleeps for a random time and
    /// then checks whether it has heard from a leader is the course's suggestion:
    /// `common::sim::sleep(Duration::from_millis(ms)).await`, with
    /// `ms = common::sim::rng(|r| r.random_range(150..300))` (`use common::sim::RngExt`).
    pub fn new(
        _peers: Vec<ClientEnd>,
        _me: usize,
        _persister: Arc<dyn Persister>,
        _apply_tx: Sender<ApplyMsg>,
    ) -> Raft {
        todo!("Lab 3A: Raft::new (start the peer and its election timer)")
    }

    /// The `Raft` service, which the tester adds to this peer's RPC server: one handler
    /// per RPC, `Service::new(rpc::SERVICE).handle(rpc::REQUEST_VOTE, move |args| ...)`,
    /// where the closure returns a future of the reply (`std::future::ready(reply)` if it
    /// does not wait). Handlers of concurrent calls run concurrently.
    pub fn service(&self) -> Service {
        todo!("Lab 3A: Raft::service (the RequestVote and AppendEntries handlers)")
    }

    /// (current term, whether this peer believes it is the leader).
    pub fn get_state(&self) -> (u64, bool) {
        todo!("Lab 3A: Raft::get_state")
    }

    /// The course's `Start`: if this peer is the leader, appends `command` to its log and
    /// starts agreement on it, returning its (index, term) at once; otherwise `None`.
    /// There is no guarantee the command will ever be committed; the apply channel says.
    /// The first command's index is 1.
    pub fn start(&self, _command: Vec<u8>) -> Option<(u64, u64)> {
        todo!("Lab 3B: Raft::start")
    }

    /// The service has applied everything through `index` and saved its state as
    /// `snapshot` (the course's `Snapshot`): the peer may drop its log through `index`,
    /// and saves the snapshot with its state. Called from the task that reads the apply
    /// channel.
    pub fn snapshot(&self, _index: u64, _snapshot: Vec<u8>) {
        todo!("Lab 3D: Raft::snapshot")
    }

    /// The size in bytes of the Raft state this peer last saved (the 2026 course's
    /// `PersistBytes`: `persister.raft_state_size()`). A 2026 Lab 4 rsm compares it with
    /// its `max_raft_state`.
    pub fn persist_bytes(&self) -> usize {
        todo!("Lab 3D: Raft::persist_bytes")
    }

    /// Stops the peer: the tester calls it on a crash. Its tasks should end soon after, and
    /// it must send, save and apply nothing more.
    pub fn kill(&self) {
        self.dead.store(true, Ordering::SeqCst);
        // Lab 3A: also wake or stop whatever of yours is waiting.
    }

    /// Whether [`Raft::kill`] was called: your long-running tasks check it.
    pub fn killed(&self) -> bool {
        self.dead.load(Ordering::SeqCst)
    }
}
