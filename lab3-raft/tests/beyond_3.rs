//! Beyond the course: black-box tests of Raft that the course's 28 tests do not have.
//! They catch classic mistakes the course's tests let through (each one named in
//! `lab3-raft/mutants.txt`, where `scripts/mutants.sh` proves it). They use only the
//! tester's public API, so they judge a student's Raft as they judge ours.
//!
//! Names start with `beyond_`, so no course name is taken and `scripts/grade.sh` reports
//! them apart; each ends with the sub-lab it needs, so `cargo test -p lab3-raft 3c` runs
//! them with the course's 3C tests.
//!
//! What they check, at every step (every 10 ms of virtual time), from outside:
//! - election safety: never two leaders in one term, counting every peer's `get_state`
//!   ever seen, also from peers that were crashed since;
//! - log matching and state machine safety: the tester's appliers fail the test as soon as
//!   two peers apply different commands at one index, or one applies out of order;
//! - liveness: once every fault is repaired, the cluster agrees on a new command within
//!   the course's time limits.

use common::sim::{self, RngExt};
use lab3_raft::tester::{RAFT_ELECTION_TIMEOUT, Tester, cmd};
use std::collections::BTreeMap;
use std::time::Duration;

/// How often the watcher looks at every peer.
const WATCH: Duration = Duration::from_millis(10);

/// Election safety as seen through `get_state`: the leader of each term ever observed.
#[derive(Default)]
struct Leaders(BTreeMap<u64, usize>);

impl Leaders {
    /// Looks at every running peer; fails the test on a second leader in a term.
    fn observe(&mut self, t: &Tester) {
        for i in 0..t.n() {
            let Some(raft) = t.raft(i) else { continue };
            let (term, is_leader) = raft.get_state();
            if !is_leader {
                continue;
            }
            match self.0.get(&term) {
                Some(&other) if other != i => {
                    panic!("election safety: peers {other} and {i} both led term {term}")
                }
                Some(_) => {}
                None => {
                    self.0.insert(term, i);
                }
            }
        }
    }

    /// Lets the cluster run for `duration`, watching it.
    async fn watch(&mut self, t: &Tester, duration: Duration) {
        let mut left = duration;
        while !left.is_zero() {
            let step = left.min(WATCH);
            sim::sleep(step).await;
            left -= step;
            self.observe(t);
        }
    }
}

/// Offers `command` to every running peer (the leaders take it).
fn offer(t: &Tester, command: u64) {
    for i in 0..t.n() {
        if let Some(raft) = t.raft(i) {
            let _ = raft.start(cmd(command));
        }
    }
}

/// Repairs every fault, then checks the cluster still agrees on a new command.
async fn heal_and_agree(t: &mut Tester, leaders: &mut Leaders, command: u64) {
    t.set_unreliable(false);
    t.set_long_reordering(false);
    for i in 0..t.n() {
        if t.raft(i).is_none() {
            t.start1(i);
        }
        t.connect(i);
    }
    leaders.watch(t, RAFT_ELECTION_TIMEOUT).await;
    t.one(cmd(command), t.n(), true).await;
    leaders.observe(t);
}

/// Votes must survive a crash: peers crash and restart all the time, one at a time, while
/// candidates keep running elections on a network that loses messages. A peer that forgets
/// its vote (or its term) on a restart can vote twice in one term, and two leaders of one
/// term appear; one whose vote is not saved before it answers does the same.
#[test]
fn beyond_votes_survive_crashes_3c() {
    sim::run(|| async {
        let servers = 5;
        let mut t = Tester::new(servers, true);
        t.begin("Beyond (3C): votes survive crashes");
        let mut leaders = Leaders::default();
        for step in 0..150u64 {
            let i = sim::rng(|r| r.random_range(0..servers));
            t.start1(i);
            t.connect(i);
            if sim::rng(|r| r.random_bool(0.3)) {
                let j = sim::rng(|r| r.random_range(0..servers));
                t.disconnect(j);
            } else {
                for j in 0..servers {
                    t.connect(j);
                }
            }
            offer(&t, step);
            let pause = sim::rng(|r| r.random_range(20..400));
            leaders.watch(&t, Duration::from_millis(pause)).await;
        }
        heal_and_agree(&mut t, &mut leaders, 10_000).await;
        t.end();
    });
}

/// A vote must survive a crash that comes right after it. Every peer restarts at one
/// instant, so their timers tick together and two candidates often run in one term; the
/// network delays requests (0-26 ms), so one candidate's request can reach a voter well
/// after the other's. When a peer takes up a term that both others reached before it (two
/// candidates, and it was just asked for its vote by one), it is crashed and restarted at
/// once, within 50 µs. A peer that
/// forgets its vote in that restart (or its term, or did not save the vote before
/// answering) grants the late request a second vote in the term, and two leaders of one
/// term appear.
#[test]
fn beyond_vote_survives_an_immediate_crash_3c() {
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::new(servers, true);
        t.begin("Beyond (3C): a vote survives a crash right after it");
        let mut leaders = Leaders::default();
        for _ in 0..200 {
            for i in 0..servers {
                t.start1(i);
            }
            for i in 0..servers {
                t.connect(i);
            }
            // Per peer: its term, and the poll at which it reached it.
            let mut reached: Vec<(u64, u64)> = (0..servers)
                .map(|i| (t.raft(i).map_or(0, |r| r.get_state().0), 0))
                .collect();
            let mut restarted = vec![false; servers];
            let mut led_since = None;
            // Two leaders of one term may overlap for well under a millisecond (each
            // steps down at the other's first heartbeat), so look often: every 50 µs,
            // until 50 ms after a leader appeared (or 2 s).
            for poll in 1..=40_000u64 {
                sim::sleep(Duration::from_micros(50)).await;
                leaders.observe(&t);
                let mut leading = false;
                for i in 0..servers {
                    let Some((term, is_leader)) = t.raft(i).map(|r| r.get_state()) else {
                        continue;
                    };
                    leading |= is_leader;
                    if term <= reached[i].0 {
                        continue;
                    }
                    // Both other peers reached this term before it did: they are two
                    // candidates of one term, and this peer has just been asked for its
                    // vote by one of them, while the other's request may still be on its
                    // way. (The candidates themselves are left alone.)
                    let voter = (0..servers)
                        .filter(|&j| j != i)
                        .all(|j| reached[j].0 == term && reached[j].1 < poll);
                    reached[i] = (term, poll);
                    if voter && !restarted[i] {
                        restarted[i] = true;
                        t.start1(i);
                        t.connect(i);
                    }
                }
                if leading && led_since.is_none() {
                    led_since = Some(poll);
                }
                if led_since.is_some_and(|p| poll - p >= 1000) {
                    break;
                }
            }
        }
        heal_and_agree(&mut t, &mut leaders, 1).await;
        t.end();
    });
}

/// Elections when every peer's timer runs out at about the same time: all peers restart
/// together, again and again, so their first timeouts start within a few milliseconds of
/// each other, on a network that delays requests by up to 26 ms; a leader must follow each
/// time. A peer that forgets its term on a restart goes back in time and is caught here.
/// (A timeout that is not randomized is meant to split the vote here, but the reference's
/// random tick phase and pre-vote still let a leader through: see the mutant suite.)
#[test]
fn beyond_elections_after_a_common_restart_3a() {
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::new(servers, true);
        t.begin("Beyond (3A): elections after every peer restarts at once");
        let mut leaders = Leaders::default();
        for _ in 0..10 {
            for i in 0..servers {
                t.crash1(i);
            }
            for i in 0..servers {
                t.start1(i);
            }
            for i in 0..servers {
                t.connect(i);
            }
            leaders.watch(&t, Duration::from_millis(50)).await;
            t.check_one_leader().await;
            leaders.observe(&t);
        }
        t.end();
    });
}

/// The torture test: partitions, crashes and restarts, lost and long-delayed messages, and
/// a stream of commands, in random order, checked at every step; then every fault is
/// repaired and the cluster must agree again.
fn torture(snapshots: bool, title: &str) {
    sim::run(|| async {
        let servers = 5;
        let mut t = if snapshots {
            Tester::with_snapshots(servers, false)
        } else {
            Tester::new(servers, false)
        };
        t.begin(title);
        let mut leaders = Leaders::default();
        let mut next = 1u64;
        for _ in 0..200 {
            let i = sim::rng(|r| r.random_range(0..servers));
            match sim::rng(|r| r.random_range(0..8)) {
                0 => t.crash1(i),
                1 | 2 => {
                    if t.raft(i).is_none() {
                        t.start1(i);
                    }
                    t.connect(i);
                }
                3 | 4 => t.disconnect(i),
                5 => t.set_unreliable(sim::rng(|r| r.random_bool(0.5))),
                6 => t.set_long_reordering(sim::rng(|r| r.random_bool(0.3))),
                _ => {
                    for j in 0..servers {
                        if t.raft(j).is_some() {
                            t.connect(j);
                        }
                    }
                }
            }
            for _ in 0..sim::rng(|r| r.random_range(1..8)) {
                offer(&t, next);
                next += 1;
            }
            let pause = sim::rng(|r| r.random_range(10..300));
            leaders.watch(&t, Duration::from_millis(pause)).await;
        }
        heal_and_agree(&mut t, &mut leaders, next).await;
        t.end();
    });
}

#[test]
fn beyond_torture_3c() {
    torture(
        false,
        "Beyond (3C): torture: partitions, crashes, lost and late messages",
    );
}

#[test]
fn beyond_torture_snapshots_3d() {
    torture(true, "Beyond (3D): torture with snapshots");
}
