//! The course's checks on a Lab 3 cluster (`checkOneLeader`, `checkTerms`,
//! `checkNoLeader`, `nCommitted`, `wait`, `one`), the same in both editions: written once
//! over [`Peers`], what a tester of either edition shows them.

use super::show_cmd;
use crate::Raft;
use common::sim::{self, RngExt};
use std::collections::BTreeMap;
use std::time::Duration;

/// What the checks see of a Lab 3 cluster, in either edition's tester.
pub trait Peers {
    /// Number of peers.
    fn n(&self) -> usize;
    /// Whether peer `i` is connected.
    fn is_connected(&self, i: usize) -> bool;
    /// Peer `i`'s Raft, if it runs.
    fn raft(&self, i: usize) -> Option<Raft>;
    /// What every peer applied (see [`super::AppliedLogs`]).
    fn applied_logs(&self) -> &super::AppliedLogs;
}

// The checks, for every [`Peers`]; each tester's methods of the same names call them.

/// The course's `checkOneLeader`: up to ten times, waits 450–549 ms and asks every
/// connected peer; fails if a term has two leaders; returns a leader of the latest
/// term that has one, or fails if none turns up in about five seconds.
pub async fn check_one_leader<P: Peers + ?Sized>(p: &P) -> usize {
    for _ in 0..10 {
        let ms = sim::rng(|r| r.random_range(450..550));
        sim::sleep(Duration::from_millis(ms)).await;
        let mut leaders: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for i in (0..p.n()).filter(|&i| p.is_connected(i)) {
            if let Some(raft) = p.raft(i) {
                let (term, leader) = raft.get_state();
                if leader {
                    leaders.entry(term).or_default().push(i);
                }
            }
        }
        for (term, peers) in &leaders {
            assert!(
                peers.len() <= 1,
                "term {term} has {} (>1) leaders",
                peers.len()
            );
        }
        if let Some((_, peers)) = leaders.last_key_value() {
            return peers[0];
        }
    }
    panic!("expected one leader, got none");
}

/// The course's `checkTerms`: every connected peer is in the same term; returns it.
#[track_caller]
pub fn check_terms<P: Peers + ?Sized>(p: &P) -> u64 {
    let mut term = None;
    for i in (0..p.n()).filter(|&i| p.is_connected(i)) {
        if let Some(raft) = p.raft(i) {
            let (t, _) = raft.get_state();
            match term {
                None => term = Some(t),
                Some(other) => assert_eq!(other, t, "servers disagree on term"),
            }
        }
    }
    term.unwrap_or(0)
}

/// The course's `checkNoLeader`: no connected peer thinks it leads.
#[track_caller]
pub fn check_no_leader<P: Peers + ?Sized>(p: &P) {
    for i in (0..p.n()).filter(|&i| p.is_connected(i)) {
        if let Some(raft) = p.raft(i) {
            assert!(
                !raft.get_state().1,
                "expected no leader among connected servers, but {i} claims to be leader"
            );
        }
    }
}

/// The course's `nCommitted`: how many peers applied `index`, and the command there
/// (they all agree, or the applier would have failed the test).
pub fn n_committed<P: Peers + ?Sized>(p: &P, index: u64) -> (usize, Option<Vec<u8>>) {
    let applied = p.applied_logs().lock();
    let mut count = 0;
    let mut command: Option<Vec<u8>> = None;
    for (i, log) in applied.logs.iter().enumerate() {
        if let Some(c) = log.get(&index) {
            if let Some(seen) = &command {
                assert_eq!(
                    seen, c,
                    "committed values do not match: index {index}, server {i}"
                );
            }
            count += 1;
            command = Some(c.clone());
        }
    }
    (count, command)
}

/// The course's `wait`: waits (up to about 30 s) until at least `n` peers applied
/// `index`; returns its command, or `None` if some peer moved past `start_term` (the
/// caller retries).
pub async fn wait<P: Peers + ?Sized>(
    p: &P,
    index: u64,
    n: usize,
    start_term: Option<u64>,
) -> Option<Vec<u8>> {
    let mut pause = Duration::from_millis(10);
    for _ in 0..30 {
        let (nd, _) = n_committed(p, index);
        if nd >= n {
            break;
        }
        sim::sleep(pause).await;
        if pause < Duration::from_secs(1) {
            pause *= 2;
        }
        if let Some(start_term) = start_term {
            let moved_on = (0..p.n())
                .filter_map(|i| p.raft(i))
                .any(|r| r.get_state().0 > start_term);
            if moved_on {
                return None;
            }
        }
    }
    let (nd, command) = n_committed(p, index);
    assert!(nd >= n, "only {nd} decided for index {index}; wanted {n}");
    command
}

/// The course's `one`: submits `command` through whichever connected peer accepts it,
/// and waits for `expected` peers to apply it; with `retry`, resubmits if that takes
/// over 2 s; fails after 10 s. Returns the index.
pub async fn one<P: Peers + ?Sized>(p: &P, command: Vec<u8>, expected: usize, retry: bool) -> u64 {
    let began = sim::now();
    let mut starts = 0;
    while sim::now() - began < Duration::from_secs(10) {
        let mut index = None;
        for _ in 0..p.n() {
            starts = (starts + 1) % p.n();
            if !p.is_connected(starts) {
                continue;
            }
            if let Some((i, _)) = p.raft(starts).and_then(|raft| raft.start(command.clone())) {
                index = Some(i);
                break;
            }
        }
        if let Some(index) = index {
            let submitted = sim::now();
            while sim::now() - submitted < Duration::from_secs(2) {
                let (nd, got) = n_committed(p, index);
                if nd > 0 && nd >= expected && got.as_deref() == Some(&command[..]) {
                    return index;
                }
                sim::sleep(Duration::from_millis(20)).await;
            }
            assert!(
                retry,
                "one({}) failed to reach agreement",
                show_cmd(&command)
            );
        } else {
            sim::sleep(Duration::from_millis(50)).await;
        }
    }
    panic!("one({}) failed to reach agreement", show_cmd(&command));
}
