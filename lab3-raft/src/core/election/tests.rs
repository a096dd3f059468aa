//! Unit tests of the election rules: state in, one input, state and messages out.

use super::Campaign;
use crate::core::log::LogId;
use crate::core::messages::{Request, RequestVoteArgs, RequestVoteReply, Response};
use crate::core::quorum::Votes;
use crate::core::roles::RoleState;
use crate::core::test_util::{append, follower, id, leader, sent, vote};
use crate::core::{Core, Input, Output, Role};

fn request_vote(
    core: &mut crate::core::Core,
    args: crate::core::messages::RequestVoteArgs,
) -> (bool, bool) {
    let out = core.step(Input::Request(Request::RequestVote(args)));
    let Some(Response::RequestVote(reply)) = out.reply else {
        panic!("no vote reply");
    };
    (reply.vote_granted, out.persist)
}

/// The reply of `from`, at `term`, to a campaign of `kind` for `request_term`.
fn campaign_reply(
    kind: Campaign,
    from: usize,
    request_term: u64,
    term: u64,
    granted: bool,
) -> Input {
    let args = vote(request_term, 0, id(0, 0));
    let reply = RequestVoteReply {
        term,
        vote_granted: granted,
    };
    let (request, response) = match kind {
        Campaign::PreVote => (Request::PreVote(args), Response::PreVote(reply)),
        Campaign::Election => (Request::RequestVote(args), Response::RequestVote(reply)),
    };
    Input::Response {
        from,
        request,
        response,
    }
}

fn vote_reply(from: usize, term: u64, request_term: u64, granted: bool) -> Input {
    campaign_reply(Campaign::Election, from, request_term, term, granted)
}

/// Figure 2, RequestVote: a vote for an up-to-date candidate of the current term, and it
/// is persisted before the reply leaves (checklist G14's output side).
#[test]
fn grants_a_vote_and_persists_it() {
    let mut f = follower(1, 3, 2, &[1, 2]);
    let (granted, persist) = request_vote(&mut f, vote(2, 0, id(2, 2)));
    assert!(granted);
    assert!(persist, "a granted vote is durable before the reply");
    assert_eq!(f.voted_for(), Some(0));
}

/// Figure 2: at most one candidate per term; asking again for the same one is granted.
#[test]
fn one_vote_per_term() {
    let mut f = follower(1, 3, 2, &[1]);
    assert!(request_vote(&mut f, vote(2, 0, id(1, 1))).0);
    assert!(
        !request_vote(&mut f, vote(2, 2, id(1, 1))).0,
        "another candidate, same term"
    );
    assert!(
        request_vote(&mut f, vote(2, 0, id(1, 1))).0,
        "a retry of the same candidate"
    );
}

/// Figure 2: a request from an older term is refused, and the reply carries the newer term.
#[test]
fn refuses_an_older_term() {
    let mut f = follower(1, 3, 5, &[]);
    let out = f.step(Input::Request(Request::RequestVote(vote(4, 0, id(9, 9)))));
    assert_eq!(
        out.reply,
        Some(Response::RequestVote(RequestVoteReply {
            term: 5,
            vote_granted: false
        }))
    );
    assert!(!out.persist);
}

/// Checklist G7 / §5.4.1: compare last terms first, then last indexes; a longer log with
/// an older last term is not up-to-date.
#[test]
fn up_to_date_compares_terms_then_length() {
    struct Case {
        name: &'static str,
        candidate_last: LogId,
        granted: bool,
    }
    // The voter's log ends at term 3, index 3.
    let cases = [
        Case {
            name: "later last term, shorter log",
            candidate_last: id(1, 4),
            granted: true,
        },
        Case {
            name: "same term, longer log",
            candidate_last: id(4, 3),
            granted: true,
        },
        Case {
            name: "same term, same length",
            candidate_last: id(3, 3),
            granted: true,
        },
        Case {
            name: "same term, shorter log",
            candidate_last: id(2, 3),
            granted: false,
        },
        Case {
            name: "older last term, longer log",
            candidate_last: id(9, 2),
            granted: false,
        },
    ];
    for c in cases {
        let mut f = follower(1, 3, 5, &[1, 3, 3]);
        let (granted, _) = request_vote(&mut f, vote(5, 0, c.candidate_last));
        assert_eq!(granted, c.granted, "{}", c.name);
    }
}

/// Checklist G6: a peer that voted in term T still votes in T+1: the newer term clears the
/// vote before the request is judged.
#[test]
fn a_newer_term_clears_the_vote_before_judging() {
    let mut f = follower(1, 3, 2, &[1]);
    assert!(request_vote(&mut f, vote(2, 0, id(1, 1))).0);
    assert!(request_vote(&mut f, vote(3, 2, id(1, 1))).0);
    assert_eq!((f.current_term(), f.voted_for()), (3, Some(2)));
}

/// Checklist G6 for requests the peer refuses: the term is adopted all the same (and that
/// is persisted), and a leader steps down.
#[test]
fn a_newer_term_makes_a_leader_step_down_even_when_refusing() {
    let mut l = leader(0, 3, 2, &[1, 2]);
    let (granted, persist) = request_vote(&mut l, vote(3, 1, id(1, 1)));
    assert!(!granted, "the candidate's log is behind");
    assert!(persist, "the new term is durable");
    assert_eq!(
        (l.current_term(), l.role(), l.voted_for()),
        (3, Role::Follower, None)
    );
}

/// Checklist G6 for replies: a reply with a newer term makes the peer a follower of it.
#[test]
fn a_reply_with_a_newer_term_makes_a_follower() {
    let mut l = leader(0, 3, 2, &[]);
    let out = l.step(vote_reply(1, 7, 2, false));
    assert!(out.persist);
    assert_eq!(
        (l.current_term(), l.role(), l.voted_for()),
        (7, Role::Follower, None)
    );
}

/// Checklist G5: a follower or candidate whose timer runs out goes for a new election:
/// a pre-vote first (see `pre_vote`), then, with a majority, a new term, a vote for
/// itself and RequestVote to every other peer.
#[test]
fn a_timeout_starts_an_election() {
    for start_as_candidate in [false, true] {
        let mut c = follower(1, 3, 4, &[1, 4]);
        if start_as_candidate {
            c.role = RoleState::Candidate {
                votes: Votes::new(3, 1),
            };
        }
        let timeout = c.election_timeout;
        for _ in 1..timeout {
            assert!(c.step(Input::Tick).messages.is_empty());
        }
        let out = c.step(Input::Tick);
        assert_eq!(c.role(), Role::PreCandidate);
        assert_eq!(
            sent(&out),
            ["to 0: PreVote t5 last=2@t4", "to 2: PreVote t5 last=2@t4"]
        );
        let out = c.step(Input::Response {
            from: 2,
            request: Request::PreVote(vote(5, 1, id(2, 4))),
            response: Response::PreVote(RequestVoteReply {
                term: 4,
                vote_granted: true,
            }),
        });
        assert_eq!(
            (c.current_term(), c.role(), c.voted_for()),
            (5, Role::Candidate, Some(1))
        );
        assert!(out.persist);
        assert_eq!(
            sent(&out),
            [
                "to 0: RequestVote t5 last=2@t4",
                "to 2: RequestVote t5 last=2@t4"
            ]
        );
    }
}

/// Election timeouts are drawn from the configured range, and differ between rounds.
#[test]
fn election_timeouts_are_random_within_the_range() {
    let mut f = follower(0, 3, 0, &[]);
    let config = f.config();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..50 {
        f.reset_election_timer();
        assert!(
            (config.election_timeout_min..config.election_timeout_max)
                .contains(&f.election_timeout)
        );
        seen.insert(f.election_timeout);
    }
    assert!(seen.len() > 5, "random: {seen:?}");
}

/// Figure 2: votes from a majority make the candidate leader, which asserts itself at
/// once with AppendEntries to everyone.
#[test]
fn a_majority_of_votes_makes_a_leader() {
    let mut c = follower(0, 5, 1, &[1]);
    c.campaign(Campaign::Election);
    let _ = std::mem::take(&mut c.out);
    let out = c.step(vote_reply(1, 2, 2, true));
    assert_eq!(c.role(), Role::Candidate, "2 of 5");
    assert!(out.messages.is_empty());
    let out = c.step(vote_reply(3, 2, 2, false));
    assert_eq!(c.role(), Role::Candidate);
    let out2 = c.step(vote_reply(4, 2, 2, true));
    assert!(out.messages.is_empty());
    assert_eq!(c.role(), Role::Leader, "3 of 5");
    assert_eq!(
        sent(&out2),
        [
            "to 1: AppendEntries t2 prev=1@t1 commit=0 []",
            "to 2: AppendEntries t2 prev=1@t1 commit=0 []",
            "to 3: AppendEntries t2 prev=1@t1 commit=0 []",
            "to 4: AppendEntries t2 prev=1@t1 commit=0 []",
        ]
    );
}

/// A cluster of one elects itself at its first timeout.
#[test]
fn a_single_peer_elects_itself() {
    let mut c = follower(0, 1, 0, &[]);
    while c.role() != Role::Leader {
        let _ = c.step(Input::Tick);
    }
    assert_eq!(c.current_term(), 1);
}

/// Checklist G8: a vote from an earlier term's election counts for nothing.
#[test]
fn a_stale_vote_is_ignored() {
    let mut c = follower(0, 3, 1, &[]);
    c.campaign(Campaign::Election); // term 2
    c.campaign(Campaign::Election); // term 3: the term-2 election timed out
    let _ = std::mem::take(&mut c.out);
    let out = c.step(vote_reply(1, 2, 2, true));
    assert_eq!(
        c.role(),
        Role::Candidate,
        "a term-2 vote does not elect in term 3"
    );
    assert_eq!(out, crate::core::Output::default());
}

/// Checklist G4: the election timer restarts when the peer grants a vote, starts an
/// election, or hears from the current leader; not when it refuses a vote or gets a
/// request from an older term.
#[test]
fn the_election_timer_restarts_only_when_it_should() {
    struct Case {
        name: &'static str,
        input: Input,
        restarts: bool,
    }
    let cases = [
        Case {
            name: "grants a vote",
            input: Input::Request(Request::RequestVote(vote(3, 0, id(5, 3)))),
            restarts: true,
        },
        Case {
            name: "refuses a vote (log behind), in a newer term",
            input: Input::Request(Request::RequestVote(vote(4, 0, id(1, 1)))),
            restarts: false,
        },
        Case {
            name: "refuses a vote from an older term",
            input: Input::Request(Request::RequestVote(vote(2, 0, id(9, 9)))),
            restarts: false,
        },
        Case {
            name: "AppendEntries from the current leader",
            input: Input::Request(Request::AppendEntries(append(3, 0, id(1, 1), &[], 0))),
            restarts: true,
        },
        Case {
            name: "AppendEntries that fails the check, from the current leader",
            input: Input::Request(Request::AppendEntries(append(3, 0, id(9, 3), &[], 0))),
            restarts: true,
        },
        Case {
            name: "AppendEntries from an older term",
            input: Input::Request(Request::AppendEntries(append(2, 0, id(1, 1), &[], 0))),
            restarts: false,
        },
    ];
    for c in cases {
        let mut f = follower(1, 3, 3, &[1, 2]);
        for _ in 0..5 {
            let _ = f.step(Input::Tick);
        }
        let _ = f.step(c.input);
        assert_eq!(f.election_elapsed == 0, c.restarts, "{}", c.name);
    }
}

/// Votes that arrive after the candidate's election timed out (it is asking for a pre-vote
/// now, still in the same term) still elect it: on a network that holds replies back for
/// seconds, elections would otherwise rarely finish.
#[test]
fn late_votes_of_the_same_term_still_elect() {
    let mut c = follower(0, 5, 1, &[1]);
    c.campaign(Campaign::Election); // term 2
    let _ = std::mem::take(&mut c.out);
    let _ = c.step(vote_reply(1, 2, 2, true));
    c.campaign(Campaign::PreVote); // the election timed out
    let _ = std::mem::take(&mut c.out);
    assert_eq!((c.role(), c.current_term()), (Role::PreCandidate, 2));
    let out = c.step(vote_reply(3, 2, 2, true));
    assert_eq!(
        (c.role(), c.current_term()),
        (Role::Leader, 2),
        "3 of 5 in term 2"
    );
    assert_eq!(out.messages.len(), 4, "it asserts itself at once");
}

/// A pre-candidate that never was the candidate of its term counts no votes.
#[test]
fn a_pre_candidate_without_an_election_counts_no_votes() {
    let mut f = follower(0, 3, 2, &[1]);
    f.campaign(Campaign::PreVote);
    let _ = std::mem::take(&mut f.out);
    let _ = f.step(vote_reply(1, 2, 2, true));
    assert_eq!(f.role(), Role::PreCandidate);
}

// ---- pre-vote ----

fn pre_vote(core: &mut Core, args: RequestVoteArgs) -> (bool, Output) {
    let mut out = core.step(Input::Request(Request::PreVote(args)));
    let Some(Response::PreVote(reply)) = out.reply.take() else {
        panic!("no pre-vote reply");
    };
    (reply.vote_granted, out)
}

fn pre_vote_reply(from: usize, request_term: u64, term: u64, granted: bool) -> Input {
    campaign_reply(Campaign::PreVote, from, request_term, term, granted)
}

/// Timing out starts a pre-vote for the next term, which changes neither the term nor
/// the vote, and so persists nothing.
#[test]
fn a_timeout_starts_a_pre_vote_not_a_new_term() {
    let mut f = follower(1, 3, 4, &[1, 4]);
    let mut out = Output::default();
    while f.role() == Role::Follower {
        out = f.step(Input::Tick);
    }
    assert_eq!(
        (f.role(), f.current_term(), f.voted_for()),
        (Role::PreCandidate, 4, None)
    );
    assert!(!out.persist);
    assert_eq!(
        sent(&out),
        ["to 0: PreVote t5 last=2@t4", "to 2: PreVote t5 last=2@t4"]
    );
}

/// A majority of yeses starts the real election; refusals alone do not.
#[test]
fn a_majority_of_yeses_starts_the_election() {
    let mut f = follower(0, 3, 4, &[]);
    f.campaign(Campaign::PreVote);
    let _ = std::mem::take(&mut f.out);
    let out = f.step(pre_vote_reply(1, 5, 4, false));
    assert_eq!(f.role(), Role::PreCandidate);
    assert!(out.messages.is_empty());
    let out = f.step(pre_vote_reply(2, 5, 4, true));
    assert_eq!(
        (f.role(), f.current_term(), f.voted_for()),
        (Role::Candidate, 5, Some(0))
    );
    assert!(out.persist);
    assert_eq!(
        sent(&out),
        [
            "to 1: RequestVote t5 last=0@t0",
            "to 2: RequestVote t5 last=0@t0"
        ]
    );
}

/// A yes from an earlier round (the pre-candidate moved to another term since) is ignored.
#[test]
fn a_stale_pre_vote_reply_is_ignored() {
    let mut f = follower(0, 3, 4, &[]);
    f.campaign(Campaign::PreVote);
    let _ = std::mem::take(&mut f.out);
    let _ = f.step(pre_vote_reply(1, 4, 3, true));
    assert_eq!(f.role(), Role::PreCandidate);
}

/// The answer changes nothing on the voter: no term, no vote, no timer.
#[test]
fn answering_a_pre_vote_changes_nothing() {
    let mut f = follower(1, 3, 4, &[1]);
    for _ in 0..f.config().election_timeout_min {
        let _ = f.step(Input::Tick);
    }
    let elapsed = f.election_elapsed;
    let (granted, out) = pre_vote(&mut f, vote(5, 0, id(1, 1)));
    assert!(granted);
    assert!(!out.persist);
    assert_eq!(
        (f.current_term(), f.voted_for(), f.election_elapsed),
        (4, None, elapsed)
    );
}

/// Yes only for a later term, an up-to-date log, and when no leader was heard from within
/// the minimum election timeout; a leader always says no.
#[test]
fn pre_vote_is_granted_only_when_an_election_could_be_needed() {
    struct Case {
        name: &'static str,
        args: RequestVoteArgs,
        heard_from_leader: bool,
        granted: bool,
    }
    let cases = [
        Case {
            name: "next term, up to date, no leader",
            args: vote(5, 0, id(2, 2)),
            heard_from_leader: false,
            granted: true,
        },
        Case {
            name: "the voter's own term",
            args: vote(4, 0, id(2, 2)),
            heard_from_leader: false,
            granted: false,
        },
        Case {
            name: "log behind",
            args: vote(5, 0, id(1, 2)),
            heard_from_leader: false,
            granted: false,
        },
        Case {
            name: "leader heard from lately",
            args: vote(5, 0, id(2, 2)),
            heard_from_leader: true,
            granted: false,
        },
    ];
    for c in cases {
        let mut f = follower(1, 3, 4, &[1, 2]);
        if c.heard_from_leader {
            let _ = f.step(Input::Request(Request::AppendEntries(append(
                4,
                2,
                id(2, 2),
                &[],
                0,
            ))));
        } else {
            for _ in 0..f.config().election_timeout_min {
                let _ = f.step(Input::Tick);
            }
        }
        let (granted, _) = pre_vote(&mut f, c.args);
        assert_eq!(granted, c.granted, "{}", c.name);
    }
    let mut l = leader(0, 3, 4, &[1]);
    assert!(
        !pre_vote(&mut l, vote(9, 1, id(9, 9))).0,
        "a leader says no"
    );
    assert_eq!(l.role(), Role::Leader, "and stays leader");
}

/// A pre-candidate that hears from the leader of its term goes back to following.
#[test]
fn a_pre_candidate_follows_a_leader() {
    let mut f = follower(1, 3, 4, &[]);
    f.campaign(Campaign::PreVote);
    let _ = f.step(Input::Request(Request::AppendEntries(append(
        4,
        0,
        id(0, 0),
        &[],
        0,
    ))));
    assert_eq!((f.role(), f.leader_id()), (Role::Follower, Some(0)));
}

// ---- campaigns: when pre-vote is skipped, and lost campaigns ----

/// Out of term 0 the first campaign is the election itself: no pre-vote round.
#[test]
fn the_first_campaign_out_of_term_0_is_an_election() {
    let mut f = follower(1, 3, 0, &[]);
    let timeout = f.election_timeout;
    for _ in 1..timeout {
        let _ = f.step(Input::Tick);
    }
    let out = f.step(Input::Tick);
    assert_eq!((f.role(), f.current_term()), (Role::Candidate, 1));
    assert_eq!(
        sent(&out),
        [
            "to 0: RequestVote t1 last=0@t0",
            "to 2: RequestVote t1 last=0@t0"
        ]
    );
}

/// Why skipping the pre-vote out of term 0 is safe: every leader there is or was has a
/// term of at least 1, so the RequestVote for term 1 is from an older or equal term for
/// every peer that knows of a leader. A leader and its followers refuse it and change
/// nothing: no term, no vote, no role, no timer, nothing to persist.
#[test]
fn a_vote_out_of_term_0_disrupts_no_one() {
    let ask = vote(1, 2, id(0, 0));
    let mut l = leader(0, 3, 1, &[1]);
    let mut f = follower(1, 3, 1, &[1]);
    let _ = f.step(Input::Request(Request::AppendEntries(append(
        1,
        0,
        id(1, 1),
        &[],
        0,
    ))));
    for peer in [&mut l, &mut f] {
        let before = (
            peer.current_term(),
            peer.voted_for(),
            peer.role(),
            peer.leader_id(),
            peer.election_elapsed,
        );
        let out = peer.step(Input::Request(Request::RequestVote(ask.clone())));
        assert_eq!(
            out.reply,
            Some(Response::RequestVote(RequestVoteReply {
                term: 1,
                vote_granted: false
            }))
        );
        assert!(!out.persist && out.messages.is_empty());
        let after = (
            peer.current_term(),
            peer.voted_for(),
            peer.role(),
            peer.leader_id(),
            peer.election_elapsed,
        );
        assert_eq!(after, before, "peer {} changed", peer.me());
    }
}

/// With pre-vote off in the configuration, a timeout starts the election at once.
#[test]
fn without_pre_vote_a_timeout_starts_an_election() {
    let mut f = follower(1, 3, 4, &[1, 4]);
    f.config.pre_vote = false;
    let mut out = Output::default();
    while f.role() == Role::Follower {
        out = f.step(Input::Tick);
    }
    assert_eq!((f.role(), f.current_term()), (Role::Candidate, 5));
    assert_eq!(
        sent(&out),
        [
            "to 0: RequestVote t5 last=2@t4",
            "to 2: RequestVote t5 last=2@t4"
        ]
    );
}

/// A candidate refused by a majority has lost: it goes back to following (keeping its
/// term and its vote), and waits a whole new timeout before it tries again.
#[test]
fn a_lost_election_makes_a_follower() {
    let mut c = follower(0, 3, 1, &[1]);
    c.campaign(Campaign::Election); // term 2
    let _ = std::mem::take(&mut c.out);
    let _ = c.step(vote_reply(1, 2, 2, false));
    assert_eq!(c.role(), Role::Candidate, "1 of 3 refused");
    let _ = c.step(vote_reply(2, 2, 2, false));
    assert_eq!(
        (
            c.role(),
            c.current_term(),
            c.voted_for(),
            c.election_elapsed
        ),
        (Role::Follower, 2, Some(0), 0)
    );
}

/// A pre-candidate refused by a majority has lost its pre-vote: it follows again.
#[test]
fn a_lost_pre_vote_makes_a_follower() {
    let mut f = follower(0, 3, 4, &[]);
    f.campaign(Campaign::PreVote);
    let _ = std::mem::take(&mut f.out);
    let _ = f.step(pre_vote_reply(1, 5, 4, false));
    assert_eq!(f.role(), Role::PreCandidate);
    let out = f.step(pre_vote_reply(2, 5, 4, false));
    assert_eq!((f.role(), f.current_term()), (Role::Follower, 4));
    assert!(!out.persist && out.messages.is_empty());
}

/// A timed-out election that is lost while its pre-vote goes on stops being counted; the
/// pre-vote goes on.
#[test]
fn a_timed_out_election_lost_later_stops_counting() {
    let mut c = follower(0, 3, 1, &[1]);
    c.campaign(Campaign::Election); // term 2
    c.campaign(Campaign::PreVote); // the election timed out
    let _ = std::mem::take(&mut c.out);
    let _ = c.step(vote_reply(1, 2, 2, false));
    let _ = c.step(vote_reply(2, 2, 2, false));
    assert!(matches!(
        c.role,
        RoleState::PreCandidate { election: None, .. }
    ));
}
