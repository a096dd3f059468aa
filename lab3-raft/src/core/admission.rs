//! What a peer accepts off the network before any rule may change its state.
//!
//! Figure 2's rules for all servers adopt any higher term they see. That is safe only
//! for terms a peer of the cluster can have sent: a request from an id outside the
//! configuration, or with a term that has no successor (`u64::MAX`: a peer that took it
//! could never campaign again, and the whole cluster would follow it there), would stop
//! the cluster for good. Such a request is refused with the peer's current term and no
//! change; such a reply is ignored.

use super::Core;
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
            None
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
