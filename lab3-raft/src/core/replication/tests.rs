//! Unit tests of the replication rules: state in, one input, state and messages out.

use crate::core::messages::{AppendEntriesArgs, AppendEntriesReply, Request, Response};
use crate::core::test_util::{append, appends, follower, id, leader, log_terms, progress, sent};
use crate::core::{Core, Input, Role};
use common::ApplyMsg;

fn append_entries(
    core: &mut Core,
    args: AppendEntriesArgs,
) -> (AppendEntriesReply, crate::core::Output) {
    let mut out = core.step(Input::Request(Request::AppendEntries(args)));
    let Some(Response::AppendEntries(reply)) = out.reply.take() else {
        panic!("no AppendEntries reply");
    };
    (reply, out)
}

fn reply_to(from: usize, args: AppendEntriesArgs, reply: AppendEntriesReply) -> Input {
    Input::Response {
        from,
        request: Request::AppendEntries(args),
        response: Response::AppendEntries(reply),
    }
}

fn success(term: u64) -> AppendEntriesReply {
    AppendEntriesReply {
        term,
        success: true,
        x_term: None,
        x_index: 0,
        x_len: 0,
    }
}

/// Figure 2: entries after a matching `prev_log_index` are appended and persisted.
#[test]
fn appends_after_a_matching_entry() {
    let mut f = follower(1, 3, 2, &[1]);
    let (reply, out) = append_entries(&mut f, append(2, 0, id(1, 1), &[2, 2], 0));
    assert!(reply.success);
    assert!(out.persist, "new entries are durable before the reply");
    assert_eq!(log_terms(&f), [1, 2, 2]);
    assert_eq!(f.leader_id(), Some(0));
}

/// Checklist G1: a heartbeat gets the same consistency check as any AppendEntries; a
/// mismatch is refused and does not move the commit index.
#[test]
fn a_heartbeat_is_checked_like_any_append() {
    let mut f = follower(1, 3, 3, &[1, 1, 2]);
    let (reply, _) = append_entries(&mut f, append(3, 0, id(3, 3), &[], 3));
    assert!(!reply.success);
    assert_eq!(f.commit_index(), 0);
}

/// Figure 2: a conflicting entry and all that follow it are deleted, then the new ones
/// appended.
#[test]
fn a_conflict_truncates_from_the_conflict() {
    let mut f = follower(1, 3, 3, &[1, 1, 2, 2]);
    let (reply, out) = append_entries(&mut f, append(3, 0, id(2, 1), &[3], 0));
    assert!(reply.success);
    assert!(out.persist);
    assert_eq!(log_terms(&f), [1, 1, 3]);
}

/// Checklist G2: a late AppendEntries whose entries are all present removes nothing, and
/// does not count as a change to persist.
#[test]
fn a_stale_append_never_truncates() {
    let mut f = follower(1, 3, 2, &[]);
    let (_, _) = append_entries(&mut f, append(2, 0, id(0, 0), &[1, 1, 2], 0));
    let (reply, out) = append_entries(&mut f, append(2, 0, id(0, 0), &[1, 1], 0));
    assert!(reply.success);
    assert_eq!(log_terms(&f), [1, 1, 2], "still 3 long");
    assert!(!out.persist);
}

/// Checklist G3: commit follows the leader only as far as this request covered; stale
/// entries beyond it are not committed.
#[test]
fn follower_commit_is_bounded_by_what_the_request_covered() {
    let mut f = follower(1, 3, 3, &[1, 1, 1, 1, 1, 2, 2]);
    let (reply, out) = append_entries(&mut f, append(3, 0, id(4, 1), &[1], 10));
    assert!(reply.success);
    assert_eq!(f.commit_index(), 5);
    assert_eq!(out.apply.len(), 5, "entries 1..=5 are applied");
    // A later request covering less never moves the commit index back.
    let _ = append_entries(&mut f, append(3, 0, id(2, 1), &[], 10));
    assert_eq!(f.commit_index(), 5);
}

/// Checklist G12: committed entries are applied once each, in index order.
#[test]
fn committed_entries_are_applied_in_order_once() {
    let mut f = follower(1, 3, 1, &[]);
    let (_, out) = append_entries(&mut f, append(1, 0, id(0, 0), &[1, 1, 1], 2));
    assert_eq!(
        out.apply.iter().map(ApplyMsg::index).collect::<Vec<_>>(),
        [1, 2]
    );
    let (_, out) = append_entries(&mut f, append(1, 0, id(3, 1), &[], 3));
    assert_eq!(
        out.apply.iter().map(ApplyMsg::index).collect::<Vec<_>>(),
        [3]
    );
    let (_, out) = append_entries(&mut f, append(1, 0, id(3, 1), &[], 3));
    assert!(out.apply.is_empty());
    assert_eq!(f.step(Input::Tick).apply, [], "nothing is applied twice");
}

/// Figure 2: AppendEntries from the current term's leader turns a candidate into its
/// follower.
#[test]
fn a_candidate_follows_the_leader_of_its_term() {
    let mut c = follower(1, 3, 1, &[]);
    c.campaign(crate::core::election::Campaign::Election); // term 2
    let _ = std::mem::take(&mut c.out);
    let (reply, _) = append_entries(&mut c, append(2, 2, id(0, 0), &[], 0));
    assert!(reply.success);
    assert_eq!(
        (c.role(), c.leader_id(), c.voted_for()),
        (Role::Follower, Some(2), Some(1))
    );
}

/// Checklist G13, follower side: a log too short says so (`x_term` none, `x_len`); a term
/// mismatch names the term and the first index of its run.
#[test]
fn a_mismatch_reply_carries_the_fast_backup_fields() {
    let mut f = follower(1, 3, 5, &[1, 1, 4, 4, 4]);
    let (reply, _) = append_entries(&mut f, append(5, 0, id(8, 5), &[], 0));
    assert_eq!((reply.success, reply.x_term, reply.x_len), (false, None, 6));
    let (reply, _) = append_entries(&mut f, append(5, 0, id(5, 5), &[], 0));
    assert_eq!(
        (reply.success, reply.x_term, reply.x_index),
        (false, Some(4), 3)
    );
}

/// Checklist G13, leader side: too short: back up to the follower's length; its term
/// unknown to the leader: to the first index of that term on the follower; a term the
/// leader has: just past the leader's last entry of it. Then retry at once.
#[test]
fn the_leader_backs_up_a_term_at_a_time() {
    struct Case {
        name: &'static str,
        x_term: Option<u64>,
        x_index: u64,
        x_len: u64,
        next_index: u64,
    }
    // Leader log: terms 1 1 1 4 4 5 5 6 6 6 (indexes 1..=10).
    let cases = [
        Case {
            name: "log too short",
            x_term: None,
            x_index: 0,
            x_len: 4,
            next_index: 4,
        },
        Case {
            name: "term the leader lacks",
            x_term: Some(2),
            x_index: 2,
            x_len: 9,
            next_index: 2,
        },
        Case {
            name: "term the leader has",
            x_term: Some(4),
            x_index: 4,
            x_len: 9,
            next_index: 6,
        },
    ];
    for c in cases {
        let mut l = leader(0, 3, 6, &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
        let sent_args = append(6, 0, id(10, 6), &[], 0);
        let out = l.step(reply_to(
            1,
            sent_args,
            AppendEntriesReply {
                term: 6,
                success: false,
                x_term: c.x_term,
                x_index: c.x_index,
                x_len: c.x_len,
            },
        ));
        assert_eq!(progress(&l, 1).0, c.next_index, "{}", c.name);
        let retry = appends(&out);
        assert_eq!(retry.len(), 1, "{}: retries at once", c.name);
        assert_eq!(retry[0].1.prev_log_index, c.next_index - 1, "{}", c.name);
    }
}

/// A mismatch reply about a position the leader already left is ignored.
#[test]
fn a_mismatch_about_an_old_position_is_ignored() {
    let mut l = leader(0, 3, 2, &[1, 1, 2]);
    let refused = AppendEntriesReply {
        term: 2,
        success: false,
        x_term: None,
        x_index: 0,
        x_len: 1,
    };
    let out = l.step(reply_to(1, append(2, 0, id(1, 1), &[1, 2], 0), refused));
    assert_eq!(
        progress(&l, 1).0,
        4,
        "next_index was 4; the request was from 2"
    );
    assert!(out.messages.is_empty());
}

/// Checklist G9: match_index comes from what was sent, and replies out of order never move
/// it back.
#[test]
fn match_index_comes_from_what_was_sent() {
    let mut l = leader(0, 3, 1, &[1]);
    let _ = l.step(Input::Propose(b"a".to_vec()));
    let _ = l.step(Input::Propose(b"b".to_vec()));
    let first = append(1, 0, id(1, 1), &[1], 0);
    let second = append(1, 0, id(1, 1), &[1, 1], 0);
    let _ = l.step(reply_to(1, second, success(1)));
    assert_eq!(progress(&l, 1), (4, 3));
    let _ = l.step(reply_to(1, first, success(1)));
    assert_eq!(
        progress(&l, 1),
        (4, 3),
        "the older reply does not move it back"
    );
}

/// Checklist G10: an AppendEntries refused for its term is no log mismatch: the leader
/// steps down and does not touch next_index (it has none any more).
#[test]
fn a_refusal_for_the_term_makes_the_leader_step_down() {
    let mut l = leader(0, 3, 2, &[1, 2]);
    let refused = AppendEntriesReply {
        term: 3,
        success: false,
        x_term: None,
        x_index: 0,
        x_len: 1,
    };
    let out = l.step(reply_to(1, append(2, 0, id(2, 2), &[], 0), refused));
    assert_eq!((l.role(), l.current_term()), (Role::Follower, 3));
    assert!(out.messages.is_empty());
}

/// Checklist G11, Figure 8 (c): a leader of term 4 that finds its term-2 entry at index 2
/// on a majority must not commit it; once its own term-4 entry after it is on a
/// majority, both commit.
#[test]
fn only_current_term_entries_commit_by_counting() {
    let mut l = leader(0, 5, 4, &[1, 2]);
    let _ = l.step(reply_to(1, append(4, 0, id(1, 1), &[2], 0), success(4)));
    let _ = l.step(reply_to(2, append(4, 0, id(1, 1), &[2], 0), success(4)));
    assert_eq!(
        l.commit_index(),
        0,
        "index 2 (term 2) is on 3 of 5 but is not committed"
    );
    let proposed = l
        .step(Input::Propose(b"x".to_vec()))
        .proposed
        .expect("leader");
    assert_eq!(proposed, id(3, 4));
    let _ = l.step(reply_to(1, append(4, 0, id(2, 2), &[4], 0), success(4)));
    let out = l.step(reply_to(2, append(4, 0, id(2, 2), &[4], 0), success(4)));
    assert_eq!(l.commit_index(), 3);
    assert_eq!(
        out.apply.iter().map(ApplyMsg::index).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

/// The course's Start: the leader appends in its term and persists at once, and
/// replicates at its next tick; anyone else refuses.
#[test]
fn a_proposal_is_appended_at_once_and_sent_at_the_next_tick() {
    let mut l = leader(0, 3, 2, &[1]);
    let out = l.step(Input::Propose(b"cmd".to_vec()));
    assert_eq!(out.proposed, Some(id(2, 2)));
    assert!(out.persist);
    assert!(out.messages.is_empty(), "sent at the next tick");
    let out = l.step(Input::Tick);
    assert_eq!(
        sent(&out),
        [
            "to 1: AppendEntries t2 prev=1@t1 commit=0 [2@t2]",
            "to 2: AppendEntries t2 prev=1@t1 commit=0 [2@t2]",
        ]
    );
    let out = l.step(Input::Tick);
    assert!(out.messages.is_empty(), "sent once");
    let mut f = follower(1, 3, 2, &[1]);
    let out = f.step(Input::Propose(b"cmd".to_vec()));
    assert_eq!((out.proposed, out.persist), (None, false));
}

/// The real cluster's option: a proposal goes at once to the followers in step with the
/// leader; one with entries on their way gets the next ones with the reply, not before.
#[test]
fn with_send_on_propose_a_proposal_goes_at_once_to_followers_in_step() {
    let mut l = leader(0, 3, 2, &[1]);
    l.config.send_on_propose = true;
    let out = l.step(Input::Propose(b"a".to_vec()));
    assert_eq!(
        sent(&out),
        [
            "to 1: AppendEntries t2 prev=1@t1 commit=0 [2@t2]",
            "to 2: AppendEntries t2 prev=1@t1 commit=0 [2@t2]",
        ]
    );
    // Both requests are on their way: the next proposal waits for their replies.
    let out = l.step(Input::Propose(b"b".to_vec()));
    assert!(out.messages.is_empty(), "{:?}", sent(&out));
    let out = l.step(Input::Tick);
    assert!(out.messages.is_empty(), "nor does the tick send it again");
}

/// Batching: the commands proposed within one tick go to each follower in one request.
#[test]
fn the_commands_of_one_tick_go_in_one_request() {
    let mut l = leader(0, 3, 2, &[1]);
    for command in [b"a", b"b", b"c"] {
        let out = l.step(Input::Propose(command.to_vec()));
        assert!(out.messages.is_empty());
    }
    let out = l.step(Input::Tick);
    assert_eq!(
        sent(&out),
        [
            "to 1: AppendEntries t2 prev=1@t1 commit=0 [2@t2 3@t2 4@t2]",
            "to 2: AppendEntries t2 prev=1@t1 commit=0 [2@t2 3@t2 4@t2]",
        ]
    );
}

/// The leader sends heartbeats every `heartbeat_interval` ticks, and no more often (the
/// course allows ten a second).
#[test]
fn heartbeats_every_interval() {
    let mut l = leader(0, 3, 1, &[]);
    let interval = l.config().heartbeat_interval;
    let mut rounds = 0;
    for _ in 0..10 * interval {
        let out = l.step(Input::Tick);
        if !out.messages.is_empty() {
            assert_eq!(out.messages.len(), 2);
            rounds += 1;
        }
    }
    assert_eq!(rounds, 10);
}

/// Checklist G8: a reply to an AppendEntries of an earlier term changes nothing, even a
/// success (the peer may since have taken entries from another leader).
#[test]
fn a_stale_append_reply_is_ignored() {
    let mut l = leader(0, 3, 3, &[1, 2, 3]);
    let before = progress(&l, 1);
    let out = l.step(reply_to(1, append(2, 0, id(1, 1), &[2, 3], 2), success(3)));
    assert_eq!(progress(&l, 1), before);
    assert_eq!((l.commit_index(), out), (0, crate::core::Output::default()));
}

/// New commands go at the next tick only to followers that had everything before them; a
/// follower still catching up gets them with the rest when its pending request succeeds.
#[test]
fn new_commands_go_at_the_next_tick_only_to_followers_in_sync() {
    let mut l = leader(0, 3, 2, &[1, 2]);
    if let crate::core::roles::RoleState::Leader { next_index, .. } = &mut l.role {
        next_index[2] = 2; // follower 2 is missing entry 2
    }
    let _ = l.step(Input::Propose(b"x".to_vec()));
    let out = l.step(Input::Tick);
    assert_eq!(
        sent(&out),
        ["to 1: AppendEntries t2 prev=2@t2 commit=0 [3@t2]"]
    );
    // Follower 2's earlier request for entry 2 succeeds: entry 3 follows at once.
    let out = l.step(reply_to(2, append(2, 0, id(1, 1), &[2], 0), success(2)));
    assert_eq!(
        sent(&out),
        ["to 2: AppendEntries t2 prev=2@t2 commit=2 [3@t2]"]
    );
    // An older success arriving after that sends nothing more.
    let out = l.step(reply_to(2, append(2, 0, id(1, 1), &[], 0), success(2)));
    assert!(out.messages.is_empty());
}

/// A committed entry is never truncated: an AppendEntries that conflicts at or below the
/// commit index can only come from a bug (Leader Completeness). The core refuses it, with
/// the log as it was, and reports the peer, its term and both indexes, which the driver
/// turns into a failed world in simulation (raft-rs's `maybe_append` stops there too).
#[test]
fn truncating_a_committed_entry_is_refused() {
    let mut f = follower(1, 3, 2, &[]);
    let _ = append_entries(&mut f, append(2, 0, id(0, 0), &[1, 2, 2], 2));
    assert_eq!(f.commit_index(), 2);
    let log_before = f.log().clone();
    let out = f.step(Input::Request(Request::AppendEntries(append(
        3,
        0,
        id(1, 1),
        &[3],
        0,
    ))));
    let Some(Response::AppendEntries(reply)) = out.reply else {
        panic!("no AppendEntries reply");
    };
    assert!(!reply.success);
    assert_eq!(f.log(), &log_before, "the log is untouched");
    assert_eq!((f.commit_index(), f.last_applied()), (2, 2));
    assert_eq!(
        out.violation.as_deref(),
        Some(
            "peer 1 (term 3): AppendEntries from leader 0 conflicts at index 2, at or below \
             commit_index 2: a committed entry would be truncated; refused"
        )
    );
}
