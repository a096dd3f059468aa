//! Unit tests of pre-vote.

use crate::core::messages::{Request, RequestVoteArgs, RequestVoteReply, Response};
use crate::core::test_util::{append, follower, leader, sent, vote};
use crate::core::{Core, Input, Output, Role};

fn pre_vote(core: &mut Core, args: RequestVoteArgs) -> (bool, Output) {
    let mut out = core.step(Input::Request(Request::PreVote(args)));
    let Some(Response::PreVote(reply)) = out.reply.take() else {
        panic!("no pre-vote reply");
    };
    (reply.vote_granted, out)
}

fn pre_vote_reply(from: usize, request_term: u64, term: u64, granted: bool) -> Input {
    Input::Response {
        from,
        request: Request::PreVote(vote(request_term, 0, (0, 0))),
        response: Response::PreVote(RequestVoteReply {
            term,
            vote_granted: granted,
        }),
    }
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
        ["to 0: PreVote t5 last=4/2", "to 2: PreVote t5 last=4/2"]
    );
}

/// A majority of yeses starts the real election; refusals alone do not.
#[test]
fn a_majority_of_yeses_starts_the_election() {
    let mut f = follower(0, 3, 4, &[]);
    f.become_pre_candidate();
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
            "to 1: RequestVote t5 last=0/0",
            "to 2: RequestVote t5 last=0/0"
        ]
    );
}

/// A yes from an earlier round (the pre-candidate moved to another term since) is ignored.
#[test]
fn a_stale_pre_vote_reply_is_ignored() {
    let mut f = follower(0, 3, 4, &[]);
    f.become_pre_candidate();
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
    let (granted, out) = pre_vote(&mut f, vote(5, 0, (1, 1)));
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
            args: vote(5, 0, (2, 2)),
            heard_from_leader: false,
            granted: true,
        },
        Case {
            name: "the voter's own term",
            args: vote(4, 0, (2, 2)),
            heard_from_leader: false,
            granted: false,
        },
        Case {
            name: "log behind",
            args: vote(5, 0, (2, 1)),
            heard_from_leader: false,
            granted: false,
        },
        Case {
            name: "leader heard from lately",
            args: vote(5, 0, (2, 2)),
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
                (2, 2),
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
    assert!(!pre_vote(&mut l, vote(9, 1, (9, 9))).0, "a leader says no");
    assert_eq!(l.role(), Role::Leader, "and stays leader");
}

/// A pre-candidate that hears from the leader of its term goes back to following.
#[test]
fn a_pre_candidate_follows_a_leader() {
    let mut f = follower(1, 3, 4, &[]);
    f.become_pre_candidate();
    let _ = f.step(Input::Request(Request::AppendEntries(append(
        4,
        0,
        (0, 0),
        &[],
        0,
    ))));
    assert_eq!((f.role(), f.leader_id()), (Role::Follower, Some(0)));
}
