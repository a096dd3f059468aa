//! The 2026 course's 3B tests: the scenarios both editions share
//! ([`lab3_raft::tester::scenarios::replication`]), on the 2026 harness.

use common::sim;
use lab3_raft::tester::scenarios::replication;
use lab3_raft_2026::tester::Test;

#[test]
fn test_basic_agree_3b() {
    sim::run(replication::basic_agree_3b::<Test>);
}

#[test]
fn test_rpc_bytes_3b() {
    sim::run(replication::rpc_bytes_3b::<Test>);
}

#[test]
fn test_follower_failure_3b() {
    sim::run(replication::follower_failure_3b::<Test>);
}

#[test]
fn test_leader_failure_3b() {
    sim::run(replication::leader_failure_3b::<Test>);
}

#[test]
fn test_fail_agree_3b() {
    sim::run(replication::fail_agree_3b::<Test>);
}

#[test]
fn test_fail_no_agree_3b() {
    sim::run(replication::fail_no_agree_3b::<Test>);
}

#[test]
fn test_concurrent_starts_3b() {
    sim::run(replication::concurrent_starts_3b::<Test>);
}

#[test]
fn test_rejoin_3b() {
    sim::run(replication::rejoin_3b::<Test>);
}

#[test]
fn test_backup_3b() {
    sim::run(replication::backup_3b::<Test>);
}

#[test]
fn test_count_3b() {
    sim::run(replication::count_3b::<Test>);
}
