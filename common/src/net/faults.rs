//! [`Faults`]: the test-only fault hook of the real transport. A server process holds one;
//! the peers it isolates can neither reach it (their requests are dropped unanswered) nor
//! be reached by it (calls to them time out): a network partition, made by the process
//! itself, with no privileges and nothing outside it to clean up. The servers' binaries
//! expose it only when started with `--allow-faults` (the fault tests and
//! `scripts/cluster.sh partition` do).

use super::wire::Who;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// The peers this process is cut off from; cheap to clone, shared.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    isolated: Arc<Mutex<BTreeSet<u32>>>,
}

impl Faults {
    /// No peer isolated.
    pub fn new() -> Faults {
        Faults::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<u32>> {
        self.isolated.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Cuts this process off from exactly these peers (none heals it).
    pub fn isolate(&self, peers: impl IntoIterator<Item = u32>) {
        let peers: BTreeSet<u32> = peers.into_iter().collect();
        tracing::info!(?peers, "fault hook: isolated from");
        *self.lock() = peers;
    }

    /// The peers this process is cut off from, in order.
    pub fn isolated(&self) -> Vec<u32> {
        self.lock().iter().copied().collect()
    }

    /// Whether messages from or to `who` are dropped.
    pub fn blocks(&self, who: Who) -> bool {
        match who {
            Who::Peer(i) => self.lock().contains(&i),
            Who::Client => false,
        }
    }
}
