//! Unit tests of the snapshot rules: state in, one input, state and messages out.

use crate::core::log::LogId;
use crate::core::messages::{InstallSnapshotArgs, InstallSnapshotReply, Request, Response};
use crate::core::test_util::{append, follower, id, leader, log_terms, progress, sent};
use crate::core::{Core, Input, Output};
use common::ApplyMsg;

/// A follower of term 2 that committed and applied `commit` entries of its log.
fn applied_follower(log_terms: &[u64], commit: u64) -> Core {
    let mut f = follower(1, 3, 2, log_terms);
    let prev = log_terms.len() as u64;
    let last_term = log_terms.last().copied().unwrap_or(0);
    let _ = f.step(Input::Request(Request::AppendEntries(append(
        2,
        0,
        id(prev, last_term),
        &[],
        commit,
    ))));
    assert_eq!(f.last_applied(), commit);
    f
}

fn install(term: u64, last: LogId, data: &[u8]) -> Input {
    Input::Request(Request::InstallSnapshot(InstallSnapshotArgs {
        term,
        leader_id: 0,
        last_included_index: last.index,
        last_included_term: last.term,
        data: data.to_vec(),
    }))
}

/// The service's snapshot drops the log through its index and is saved with the state.
#[test]
fn a_service_snapshot_compacts_and_is_saved_with_the_state() {
    let mut f = applied_follower(&[1, 1, 2, 2], 3);
    let out = f.step(Input::Snapshot {
        index: 2,
        data: b"s2".to_vec(),
    });
    assert!(out.persist, "the snapshot is saved with the state");
    assert_eq!(
        (f.log().last_included_index(), f.log().first_index()),
        (2, 3)
    );
    assert_eq!(&f.snapshot()[..], b"s2");
}

/// A snapshot of what was not applied yet, or older than the one in place, is ignored.
#[test]
fn a_service_snapshot_out_of_range_is_ignored() {
    let mut f = applied_follower(&[1, 1, 2, 2], 3);
    let out = f.step(Input::Snapshot {
        index: 4,
        data: b"s4".to_vec(),
    });
    assert_eq!(out, Output::default(), "index 4 is not applied");
    let _ = f.step(Input::Snapshot {
        index: 3,
        data: b"s3".to_vec(),
    });
    let out = f.step(Input::Snapshot {
        index: 2,
        data: b"s2".to_vec(),
    });
    assert_eq!(out, Output::default(), "older than the one in place");
    assert_eq!(&f.snapshot()[..], b"s3");
}

/// A leader whose follower needs compacted entries sends the snapshot instead.
#[test]
fn the_leader_sends_its_snapshot_to_a_follower_behind_it() {
    let mut l = leader(0, 3, 3, &[1, 1, 2, 3]);
    // Pretend everything committed and applied, then snapshot through 3.
    l.commit_index = 4;
    l.last_applied = 4;
    let _ = l.step(Input::Snapshot {
        index: 3,
        data: b"s3".to_vec(),
    });
    if let crate::core::roles::RoleState::Leader { next_index, .. } = &mut l.role {
        next_index[1] = 2;
    }
    l.send_append_entries(1);
    l.send_append_entries(2);
    let out = std::mem::take(&mut l.out);
    assert_eq!(
        sent(&out),
        [
            "to 1: InstallSnapshot t3 last=3@t2 (2 bytes)",
            "to 2: AppendEntries t3 prev=4@t3 commit=4 []",
        ]
    );
}

/// The reply to InstallSnapshot moves the follower's progress past the snapshot point.
#[test]
fn an_installed_snapshot_moves_the_followers_progress() {
    let mut l = leader(0, 3, 3, &[1, 1, 2, 3]);
    let args = InstallSnapshotArgs {
        term: 3,
        leader_id: 0,
        last_included_index: 3,
        last_included_term: 2,
        data: vec![],
    };
    let _ = l.step(Input::Response {
        from: 1,
        request: Request::InstallSnapshot(args),
        response: Response::InstallSnapshot(InstallSnapshotReply { term: 3 }),
    });
    assert_eq!(progress(&l, 1), (5, 3));
}

/// A follower installs a newer snapshot: its log now starts after it, the snapshot is
/// saved, and the service gets it in order, before any later command.
#[test]
fn a_follower_installs_a_newer_snapshot() {
    let mut f = applied_follower(&[1, 1], 1);
    let out = f.step(install(2, id(5, 2), b"s5"));
    assert_eq!(&f.snapshot()[..], b"s5");
    assert!(out.persist, "the snapshot is saved with the state");
    assert_eq!(
        out.apply,
        [ApplyMsg::Snapshot {
            index: 5,
            term: 2,
            snapshot: b"s5".to_vec()
        }]
    );
    assert_eq!((f.commit_index(), f.last_applied()), (5, 5));
    assert_eq!(
        (f.log().last_included_index(), f.log().last_index()),
        (5, 5)
    );
    // Entries after it follow, from prev_log_index = last_included_index.
    let out = f.step(Input::Request(Request::AppendEntries(append(
        2,
        0,
        id(5, 2),
        &[2],
        6,
    ))));
    assert_eq!(
        out.apply.iter().map(ApplyMsg::index).collect::<Vec<_>>(),
        [6]
    );
}

/// Checklist G19: a snapshot that covers only what is already committed is ignored, so
/// the service never goes back.
#[test]
fn a_stale_snapshot_is_ignored() {
    let mut f = applied_follower(&[1, 1, 2], 3);
    let out = f.step(install(2, id(2, 1), b"old"));
    assert!(out.apply.is_empty());
    assert!(!out.persist);
    assert_eq!(log_terms(&f), [1, 1, 2]);
    assert_eq!(&f.snapshot()[..], b"");
}

/// Checklist G19: a snapshot in the middle of the log keeps the matching entries after it.
#[test]
fn a_snapshot_inside_the_log_keeps_the_matching_suffix() {
    let mut f = applied_follower(&[1, 1, 2, 2, 2], 1);
    let _ = f.step(install(2, id(3, 2), b"s3"));
    assert_eq!((f.log().first_index(), f.log().last_index()), (4, 5));
    assert_eq!((f.commit_index(), f.last_applied()), (3, 3));
}

/// An AppendEntries whose prev_log_index is inside the follower's snapshot: the covered
/// entries are skipped, the rest appended.
#[test]
fn an_append_reaching_into_the_snapshot_is_trimmed() {
    let mut f = applied_follower(&[1, 1, 1], 3);
    let _ = f.step(Input::Snapshot {
        index: 3,
        data: vec![],
    });
    let out = f.step(Input::Request(Request::AppendEntries(append(
        2,
        0,
        id(1, 1),
        &[1, 1, 2],
        4,
    ))));
    let Some(Response::AppendEntries(reply)) = out.reply else {
        panic!("no reply");
    };
    assert!(reply.success);
    assert_eq!((f.log().first_index(), f.log().last_index()), (4, 4));
    assert_eq!(f.commit_index(), 4);
    // Wholly inside the snapshot: success, nothing changes.
    let out = f.step(Input::Request(Request::AppendEntries(append(
        2,
        0,
        id(1, 1),
        &[1],
        4,
    ))));
    assert!(matches!(out.reply, Some(Response::AppendEntries(r)) if r.success));
    assert!(!out.persist);
}

/// Found by the fuzz test (issue 25): an AppendEntries reaching into the snapshot whose
/// entry at the snapshot point has another term than the snapshot's contradicts a
/// committed entry. Before, it was trimmed and its remaining entries appended after the
/// snapshot with terms lower than the snapshot's (a debug assertion; in release, a log
/// whose terms go down). It is refused like a truncation of a committed entry.
#[test]
fn an_append_contradicting_the_snapshot_is_refused() {
    let mut f = applied_follower(&[1, 2, 2], 3);
    let _ = f.step(Input::Snapshot {
        index: 3,
        data: vec![],
    });
    let log_before = f.log().clone();
    let out = f.step(Input::Request(Request::AppendEntries(append(
        2,
        0,
        id(1, 1),
        &[1, 1, 1],
        4,
    ))));
    let Some(Response::AppendEntries(reply)) = out.reply else {
        panic!("no reply");
    };
    assert!(!reply.success);
    assert_eq!(f.log(), &log_before, "nothing appended");
    assert!(
        out.violation
            .as_deref()
            .is_some_and(|v| v.contains("has term 1 at index 3, where the snapshot has term 2")),
        "{:?}",
        out.violation
    );
}
