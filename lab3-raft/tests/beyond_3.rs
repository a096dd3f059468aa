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
    t.net().set_request_reordering(false);
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

/// How often the vote tests look at every peer: two leaders of one term may overlap for
/// well under a millisecond (each steps down at the other's first heartbeat).
const POLL: Duration = Duration::from_micros(50);

/// The vote tests: 150 rounds in which every peer of three restarts at one instant, so
/// their timers tick together and two candidates often run in one term, on a network
/// that delays requests (0-26 ms), so one candidate's request can reach a voter well
/// after the other's. When a peer takes up a term that both others reached before it (two
/// candidates, and it was just asked for its vote by one), it is crashed and restarted,
/// `restart_after()` polls later (0: at once), once a round. Election safety is watched at
/// every poll, until 50 ms after a leader appeared (or 2 s). With `late_requests`, a third
/// of requests are held back up to 1 s and then reach the server as it is then, restarted
/// or not (beyond the course's network, where a request to a server that restarts is
/// lost).
fn crash_after_a_vote(title: &str, restart_after: fn() -> u64, late_requests: bool) {
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::new(servers, true);
        t.net().set_request_reordering(late_requests);
        t.begin(title);
        let mut leaders = Leaders::default();
        for _ in 0..150 {
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
            // Per peer: whether it was picked, and the poll at which it restarts.
            let mut picked = vec![false; servers];
            let mut restart_at: Vec<Option<u64>> = vec![None; servers];
            let mut led_since = None;
            for poll in 1..=40_000u64 {
                for (i, at) in restart_at.iter_mut().enumerate() {
                    if at.is_some_and(|at| at <= poll) {
                        *at = None;
                        t.start1(i);
                        t.connect(i);
                    }
                }
                sim::sleep(POLL).await;
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
                    if voter && !picked[i] {
                        picked[i] = true;
                        restart_at[i] = Some(poll + restart_after());
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

/// A vote must survive a crash that comes right after it: the voter restarts within
/// 50 µs of taking up the candidates' term. A peer that forgets its vote in that restart
/// (or its term) grants the late request a second vote in the term, and two leaders of
/// one term appear.
#[test]
fn beyond_vote_survives_an_immediate_crash_3c() {
    crash_after_a_vote(
        "Beyond (3C): a vote survives a crash right after it",
        || 0,
        false,
    );
}

/// A vote must be saved before its reply leaves: the voter restarts 0.2 to 5 ms after
/// taking up the candidates' term, when its grant has reached the candidate (an immediate
/// crash loses the reply too, as a killed server's replies are), and requests may come
/// late, to the restarted voter. A peer that answers first and saves later (at its next
/// tick, say) has granted a vote that its restarted self does not know of, and grants the
/// other candidate's late request too.
#[test]
fn beyond_vote_saved_before_its_reply_3c() {
    crash_after_a_vote(
        "Beyond (3C): a vote is saved before its reply",
        || sim::rng(|r| r.random_range(4..100)),
        true,
    );
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

/// Requests that arrive across a snapshot point: three peers snapshot every 7, 10 and 13
/// entries (so that a leader's snapshot ends where a follower's does not, as under a
/// service that snapshots by size) while commands stream in (one every few milliseconds) over a network that loses
/// messages and holds some back: every other round requests wait up to 1 s (beyond the
/// course's network, which delays only replies), and one round in three replies wait up
/// to 2.2 s; a follower is cut off and brought back again and again. Late requests and
/// lost or late replies leave the leader sending a follower entries it holds already, so
/// AppendEntries reach back into a snapshot the follower took after the request left, and
/// old InstallSnapshots arrive after newer entries were committed. A follower that gets the index arithmetic at the snapshot point wrong stores an
/// entry at the wrong index (the appliers see two commands at one index); one that
/// installs a snapshot older than what it applied makes its service go back in time
/// ([`Tester::forbid_rollback`]).
#[test]
fn beyond_requests_across_a_snapshot_point_3d() {
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::with_snapshots(servers, true);
        t.forbid_rollback();
        for (i, every) in [7, 10, 13].into_iter().enumerate() {
            t.set_snapshot_interval(i, every);
        }
        t.begin("Beyond (3D): requests that arrive across a snapshot point");
        let mut leaders = Leaders::default();
        let mut next = 1u64;
        for round in 0..30 {
            t.set_long_reordering(round % 3 == 0);
            t.net().set_request_reordering(round % 2 == 1);
            let cut =
                sim::rng(|r| r.random_bool(0.5)).then(|| sim::rng(|r| r.random_range(0..servers)));
            if let Some(i) = cut {
                t.disconnect(i);
            }
            for _ in 0..sim::rng(|r| r.random_range(20..60)) {
                offer(&t, next);
                next += 1;
                let pause = sim::rng(|r| r.random_range(2..15));
                leaders.watch(&t, Duration::from_millis(pause)).await;
            }
            if let Some(i) = cut {
                t.connect(i);
            }
        }
        heal_and_agree(&mut t, &mut leaders, next).await;
        t.end();
    });
}

/// Stale candidates must not stall an election. Of nine peers, five hold the latest entry
/// and four missed it; then four of the five are cut off, which leaves a majority of one
/// peer that can win and four that cannot (their logs are behind), but that keep timing
/// out and asking for votes. Their requests are refused, and a refusal must not restart
/// the refusing peer's election timer (checklist G4): otherwise each stale request puts
/// the one peer that can win back to the start of its wait, and the election lasts as
/// long as stale peers time out first. A leader must follow within the course's five
/// seconds, ten times over.
#[test]
fn beyond_stale_candidates_do_not_stall_elections_3b() {
    sim::run(|| async {
        let servers = 9;
        let mut t = Tester::new(servers, false);
        t.begin("Beyond (3B): stale candidates do not stall an election");
        let mut leaders = Leaders::default();
        for round in 0..10u64 {
            for i in 0..servers {
                t.connect(i);
            }
            let leader = t.check_one_leader().await;
            leaders.observe(&t);
            let mut others: Vec<usize> = (0..servers).filter(|&i| i != leader).collect();
            let turn = sim::rng(|r| r.random_range(0..servers - 1));
            others.rotate_left(turn);
            let (holders, stale) = others.split_at(4);
            for &i in stale {
                t.disconnect(i);
            }
            t.one(cmd(round), 5, true).await;
            let electable = holders[0];
            t.disconnect(leader);
            for &i in &holders[1..] {
                t.disconnect(i);
            }
            for &i in stale {
                t.connect(i);
            }
            let new_leader = t.check_one_leader().await;
            assert_eq!(
                new_leader, electable,
                "only peer {electable} holds the latest entry among the connected"
            );
            leaders.observe(&t);
        }
        t.end();
    });
}

/// Replies that arrive after their sender has moved on: three peers on a network that
/// loses messages, delays most replies by up to two seconds (the course's long
/// reordering) and a third of requests by up to one (beyond the course's network), the
/// leader cut off for a moment again and again so that elections follow each other with
/// every peer taking part, and a stream of commands. A candidate that counts a vote granted in an older term, or a
/// leader that takes an acknowledgement of entries it sent in an older term as one of
/// the current term (checklist G8), makes two leaders of one term or commits an entry
/// that a majority does not hold.
#[test]
fn beyond_late_replies_3c() {
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::new(servers, true);
        t.set_long_reordering(true);
        t.net().set_request_reordering(true);
        t.begin("Beyond (3C): replies that arrive after a new term began");
        let mut leaders = Leaders::default();
        let mut next = 1u64;
        for _ in 0..120 {
            for _ in 0..sim::rng(|r| r.random_range(1..5)) {
                offer(&t, next);
                next += 1;
            }
            let pause = sim::rng(|r| r.random_range(50..500));
            leaders.watch(&t, Duration::from_millis(pause)).await;
            let leader = (0..servers)
                .find(|&i| t.is_connected(i) && t.raft(i).is_some_and(|r| r.get_state().1));
            if let Some(i) = leader {
                t.disconnect(i);
                let away = sim::rng(|r| r.random_range(0..600));
                leaders.watch(&t, Duration::from_millis(away)).await;
                t.connect(i);
            }
        }
        heal_and_agree(&mut t, &mut leaders, next).await;
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
