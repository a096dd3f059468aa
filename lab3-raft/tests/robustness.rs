//! Simulated-cluster tests for the checklist rows that no course test names: bad input from
//! the network, a dead peer, and a network that loses and reorders everything.

use common::codec;
use common::labrpc::RpcError;
use common::sim::{self, RngExt};
use lab3_raft::core::Config;
use lab3_raft::core::log::Entry;
use lab3_raft::core::messages::{AppendEntriesArgs, RequestVoteArgs};
use lab3_raft::rpc::{self, APPEND_ENTRIES, REQUEST_VOTE};
use lab3_raft::tester::{RAFT_ELECTION_TIMEOUT, Tester, cmd, server_name};
use std::sync::Arc;
use std::time::Duration;

/// Bytes that do not decode are refused by the network layer; requests that decode but
/// make no sense (no such leader or candidate, indexes far past the end) are refused by
/// the peer. Nothing panics, and the cluster keeps working.
#[test]
fn malformed_requests_are_refused_not_fatal() {
    sim::run(|| async {
        let t = Tester::new(3, false);
        t.one(cmd(1), 3, false).await;
        let end = t.net().make_end("intruder");
        t.net().connect("intruder", &server_name(0));
        t.net().enable("intruder", true);

        // A truncated AppendEntries: a term and nothing else.
        let (service, append) = (rpc::SERVICE, APPEND_ENTRIES.method());
        let bytes = codec::encode(&(1u64,)).expect("encodes");
        let truncated = end.call_bytes(service, append, bytes).await;
        assert!(
            matches!(truncated, Err(RpcError::BadRequest(_))),
            "{truncated:?}"
        );
        let bytes = codec::encode(&"not a vote").expect("encodes");
        let garbage = end.call_bytes(service, REQUEST_VOTE.method(), bytes).await;
        assert!(
            matches!(garbage, Err(RpcError::BadRequest(_))),
            "{garbage:?}"
        );

        let (term, _) = t.raft(0).expect("peer 0").get_state();
        let reply = end
            .call(
                APPEND_ENTRIES,
                &AppendEntriesArgs {
                    term,
                    leader_id: 99,
                    prev_log_index: u64::MAX,
                    prev_log_term: u64::MAX,
                    entries: vec![],
                    leader_commit: u64::MAX,
                },
            )
            .await
            .expect("a reply");
        assert!(!reply.success, "no such leader");
        let reply = end
            .call(
                REQUEST_VOTE,
                &RequestVoteArgs {
                    term,
                    candidate_id: 99,
                    last_log_index: u64::MAX,
                    last_log_term: u64::MAX,
                },
            )
            .await
            .expect("a reply");
        assert!(!reply.vote_granted, "no such candidate");

        t.one(cmd(2), 3, true).await;
    });
}

/// An AppendEntries that would truncate a committed entry can only come from a bug (Leader
/// Completeness: every leader holds every committed entry). The follower refuses it with
/// its log untouched, and in simulation the world fails, naming the peer and both indexes,
/// rather than run on with a broken peer. Before, the core panicked.
#[test]
fn an_append_truncating_a_committed_entry_fails_the_world() {
    let failure = sim::Builder::new()
        .seed(1)
        .try_run(|| async {
            let t = Tester::new(3, false);
            t.one(cmd(1), 3, false).await;
            let leader = t.check_one_leader().await;
            let follower = (leader + 1) % 3;
            let end = t.net().make_end("impostor");
            t.net().connect("impostor", &server_name(follower));
            t.net().enable("impostor", true);
            let (term, _) = t.raft(leader).expect("the leader").get_state();
            // A "leader" of the next term whose log has another entry at index 1.
            let reply = end
                .call(
                    APPEND_ENTRIES,
                    &AppendEntriesArgs {
                        term: term + 1,
                        leader_id: leader,
                        prev_log_index: 0,
                        prev_log_term: 0,
                        entries: vec![Entry {
                            term: term + 1,
                            command: Arc::from(&b"other"[..]),
                        }],
                        leader_commit: 0,
                    },
                )
                .await;
            assert!(
                matches!(reply, Ok(ref r) if !r.success),
                "refused: {reply:?}"
            );
            sim::sleep(Duration::from_millis(1)).await;
        })
        .expect_err("the world fails");
    assert!(
        failure
            .message
            .contains("at or below commit_index 1: a committed entry would be truncated; refused"),
        "{}",
        failure.message
    );
}

/// Checklist 3.2: a follower that never answers (its calls hang for seconds on a network
/// with long delays) must not slow the leader's heartbeats to the others.
#[test]
fn a_dead_follower_does_not_delay_heartbeats() {
    sim::run(|| async {
        let servers = 3;
        let mut t = Tester::new(servers, false);
        let leader = t.check_one_leader().await;
        let (dead, alive) = ((leader + 1) % servers, (leader + 2) % servers);
        t.disconnect(dead);
        let before = t.rpc_count(alive);
        sim::sleep(Duration::from_secs(2)).await;
        let heartbeats = t.rpc_count(alive) - before;
        assert_eq!(
            t.check_one_leader().await,
            leader,
            "the leader kept its majority"
        );
        let config = Config::default();
        let interval = config.tick * config.heartbeat_interval;
        let expected = (Duration::from_secs(2).as_nanos() / interval.as_nanos()) as u64;
        assert!(
            (expected - 2..=expected + 1).contains(&heartbeats),
            "{heartbeats} AppendEntries in 2 s to the live follower; want {expected}, one per \
             {interval:?}"
        );
    });
}

/// Checklist G2 and G9 in a running cluster: with requests and replies lost, delayed and
/// long reordered, stale AppendEntries never cut entries off and stale replies never move
/// the leader back; every command still commits the same everywhere.
#[test]
fn agreement_despite_loss_and_long_reordering() {
    sim::run(|| async {
        let servers = 5;
        let t = Tester::new(servers, true);
        t.set_long_reordering(true);
        for i in 0..30 {
            let n = sim::rng(|r| r.random_range(0..1000));
            t.one(cmd(i * 1000 + n), 1, true).await;
        }
        t.set_unreliable(false);
        t.set_long_reordering(false);
        sim::sleep(RAFT_ELECTION_TIMEOUT).await;
        t.one(cmd(1), servers, true).await;
    });
}
