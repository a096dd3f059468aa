//! What a peer accepts off the network before any rule may change its state.
//!
//! Figure 2's rules for all servers adopt any higher term they see. That is safe only
//! for terms a peer of the cluster can have sent: a request from an id outside the
//! configuration, or with a term that has no successor (`u64::MAX`: a peer that took it
//! could never campaign again, and the whole cluster would follow it there), would stop
//! the cluster for good. Such a request is refused with the peer's current term and no
//! change; such a reply is ignored.
//!
//! So is a request whose shape no correct peer could send (`malformed`): a log position
//! of a term above the sender's, entries whose terms go down, an index with none after
//! it. The handlers may then rely on the shape; the error log says a peer is broken.

use super::Core;
use super::log::LogId;
use super::messages::{
    AppendEntriesReply, InstallSnapshotReply, Request, RequestVoteReply, Response,
};

impl Core {
    /// Why `request` must be refused before it is handled, if it must.
    pub(super) fn inadmissible(&self, request: &Request) -> Option<&'static str> {
        if !self.is_other_peer(request.sender()) {
            Some("from no other peer of the cluster")
        } else if request.term() == u64::MAX {
            Some("a term with no successor")
        } else {
            malformed(request)
        }
    }

    /// Why `response` must be ignored, if it must (its sender was checked by the driver).
    pub(super) fn inadmissible_reply(response: &Response) -> Option<&'static str> {
        (response.term() == u64::MAX).then_some("a term with no successor")
    }

    /// The answer to a refused request: this peer's term, and no vote, no match, nothing
    /// installed.
    pub(super) fn refusal(&self, request: &Request) -> Response {
        let term = self.current_term;
        match request {
            Request::PreVote(_) => Response::PreVote(RequestVoteReply {
                term,
                vote_granted: false,
            }),
            Request::RequestVote(_) => Response::RequestVote(RequestVoteReply {
                term,
                vote_granted: false,
            }),
            Request::AppendEntries(_) => Response::AppendEntries(AppendEntriesReply {
                term,
                success: false,
                x_term: None,
                x_index: 0,
                x_len: self.log.last_index().saturating_add(1),
            }),
            Request::InstallSnapshot(_) => Response::InstallSnapshot(InstallSnapshotReply { term }),
        }
    }
}

/// What is wrong with the shape of `request`, if anything: every log position it names
/// has an index after it and a term no higher than the request's (index 0 has term 0),
/// and an AppendEntries' entries follow its previous entry with terms that never go down.
fn malformed(request: &Request) -> Option<&'static str> {
    let position_ok = |id: LogId, term: u64| {
        id.term <= term && (id.index > 0 || id.term == 0) && id.index.checked_add(1).is_some()
    };
    match request {
        Request::PreVote(a) | Request::RequestVote(a) => {
            (!position_ok(a.last_log(), a.term)).then_some("an impossible last log entry")
        }
        Request::InstallSnapshot(a) => (!position_ok(a.last_included(), a.term)
            || a.last_included_index == 0)
            .then_some("an impossible snapshot point"),
        Request::AppendEntries(a) => {
            let count = u64::try_from(a.entries.len()).unwrap_or(u64::MAX);
            let last = a.prev_log_index.checked_add(count);
            if !position_ok(a.prev_log(), a.term) || last.and_then(|l| l.checked_add(1)).is_none() {
                return Some("an impossible previous entry or entry count");
            }
            let mut previous = a.prev_log_term;
            for entry in &a.entries {
                if entry.term < previous || entry.term > a.term {
                    return Some("entry terms that go down or exceed the request's");
                }
                previous = entry.term;
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Input;
    use super::super::messages::{Request, Response};
    use super::super::test_util::{append, follower, id, leader, vote};

    fn request(core: &mut super::Core, request: Request) -> (Response, bool) {
        let out = core.step(Input::Request(request));
        (out.reply.expect("a request is answered"), out.persist)
    }

    #[test]
    fn a_request_from_no_such_peer_changes_nothing() {
        let mut f = follower(0, 3, 1, &[1]);
        for bad in [
            Request::AppendEntries(append(5, 99, id(1, 1), &[5], 2)),
            Request::AppendEntries(append(5, 0, id(1, 1), &[5], 2)), // itself
            Request::RequestVote(vote(5, 3, id(9, 4))),
            Request::PreVote(vote(5, 7, id(9, 4))),
        ] {
            let (reply, persist) = request(&mut f, bad);
            assert_eq!(reply.term(), 1);
            assert!(!persist, "nothing to save");
            assert_eq!(
                (f.current_term(), f.voted_for(), f.log().last_index()),
                (1, None, 1)
            );
        }
    }

    #[test]
    fn a_malformed_request_changes_nothing() {
        use super::super::messages::InstallSnapshotArgs;
        let mut f = follower(0, 3, 2, &[1, 2]);
        let mut down = append(3, 1, id(2, 2), &[3, 2], 4); // terms go down
        let mut above = append(3, 1, id(2, 2), &[4], 3); // an entry above the request's term
        // Built by hand: `append` numbers its entries, and these have no numbers.
        let at_the_end = |prev_log_index, terms: &[u64]| {
            let mut args = append(3, 1, id(0, 0), &[], 2);
            args.prev_log_index = prev_log_index;
            args.prev_log_term = 3;
            args.entries = terms
                .iter()
                .map(|&term| super::super::log::Entry {
                    term,
                    command: std::sync::Arc::from([]),
                })
                .collect();
            args
        };
        let beyond = at_the_end(u64::MAX, &[]); // no index after the previous entry
        let long = at_the_end(u64::MAX - 1, &[3]); // no index after the last
        let prev_above = append(3, 1, id(2, 4), &[], 2);
        down.leader_commit = 4;
        above.leader_commit = 3;
        let snapshot = |index, term| {
            Request::InstallSnapshot(InstallSnapshotArgs {
                term: 3,
                leader_id: 1,
                last_included_index: index,
                last_included_term: term,
                data: vec![1],
            })
        };
        for bad in [
            Request::AppendEntries(down),
            Request::AppendEntries(above),
            Request::AppendEntries(beyond),
            Request::AppendEntries(long),
            Request::AppendEntries(prev_above),
            Request::RequestVote(vote(3, 1, id(9, 4))),
            Request::RequestVote(vote(3, 1, id(0, 1))),
            Request::PreVote(vote(3, 1, id(u64::MAX, 1))),
            snapshot(u64::MAX, 3),
            snapshot(5, 4),
            snapshot(0, 0),
        ] {
            let shown = bad.to_string();
            let (reply, persist) = request(&mut f, bad);
            assert_eq!(reply.term(), 2, "{shown}");
            assert!(!persist, "{shown}: nothing to save");
            assert_eq!(
                (
                    f.current_term(),
                    f.voted_for(),
                    f.log().last_index(),
                    f.log().last_included_index()
                ),
                (2, None, 2, 0),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_term_without_successor_is_refused_and_elections_go_on() {
        let mut f = follower(0, 3, 1, &[1]);
        let (reply, _) = request(
            &mut f,
            Request::AppendEntries(append(u64::MAX, 1, id(1, 1), &[], 1)),
        );
        assert!(matches!(reply, Response::AppendEntries(r) if !r.success && r.term == 1));
        assert_eq!(f.current_term(), 1);
        // The peer still times out and campaigns for the next term.
        let mut campaigned = false;
        for _ in 0..1000 {
            if !f.step(Input::Tick).messages.is_empty() {
                campaigned = true;
                break;
            }
        }
        assert!(campaigned && f.current_term() <= 2);
    }

    #[test]
    fn a_peer_at_the_last_term_never_campaigns_or_votes_twice() {
        use super::super::log::log_of;
        use super::super::{Config, Core, Durable};
        // Without pre-vote, so the election itself is what must stop.
        let config = Config {
            pre_vote: false,
            ..Config::default()
        };
        let durable = Durable {
            current_term: u64::MAX,
            voted_for: None,
            log: log_of(&[1]),
        };
        let mut f = Core::restore(0, 3, config, 1, durable, Vec::new());
        let _ = request(
            &mut f,
            Request::RequestVote(vote(u64::MAX - 1, 1, id(1, 1))),
        );
        for _ in 0..1000 {
            assert!(f.step(Input::Tick).messages.is_empty(), "no campaign");
        }
        assert_eq!((f.current_term(), f.voted_for()), (u64::MAX, None));
    }

    #[test]
    fn a_reply_with_a_term_without_successor_is_ignored() {
        let mut l = leader(0, 3, 2, &[1, 2]);
        let heartbeat = append(2, 0, id(2, 2), &[], 0);
        let mut reply = match request(
            &mut follower(1, 3, 2, &[1, 2]),
            Request::AppendEntries(heartbeat.clone()),
        )
        .0
        {
            Response::AppendEntries(r) => r,
            other => panic!("{other:?}"),
        };
        reply.term = u64::MAX;
        let _ = l.step(Input::Response {
            from: 1,
            request: Request::AppendEntries(heartbeat),
            response: Response::AppendEntries(reply),
        });
        assert_eq!(
            (l.current_term(), l.role()),
            (2, super::super::Role::Leader)
        );
    }
}
