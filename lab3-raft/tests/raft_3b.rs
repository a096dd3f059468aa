//! The course's 3B tests: log replication. Their steps are the same in the 2026
//! edition, so they live in [`lab3_raft::tester::scenarios::replication`], run here on
//! the 2024 tester.

use common::sim;
use lab3_raft::tester::{Tester, scenarios};

#[test]
fn test_basic_agree_3b() {
    sim::run(scenarios::replication::basic_agree_3b::<Tester>);
}

#[test]
fn test_rpc_bytes_3b() {
    sim::run(scenarios::replication::rpc_bytes_3b::<Tester>);
}

#[test]
fn test_follower_failure_3b() {
    sim::run(scenarios::replication::follower_failure_3b::<Tester>);
}

#[test]
fn test_leader_failure_3b() {
    sim::run(scenarios::replication::leader_failure_3b::<Tester>);
}

#[test]
fn test_fail_agree_3b() {
    sim::run(scenarios::replication::fail_agree_3b::<Tester>);
}

#[test]
fn test_fail_no_agree_3b() {
    sim::run(scenarios::replication::fail_no_agree_3b::<Tester>);
}

#[test]
fn test_concurrent_starts_3b() {
    sim::run(scenarios::replication::concurrent_starts_3b::<Tester>);
}

#[test]
fn test_rejoin_3b() {
    sim::run(scenarios::replication::rejoin_3b::<Tester>);
}

#[test]
fn test_backup_3b() {
    sim::run(scenarios::replication::backup_3b::<Tester>);
}

#[test]
fn test_count_3b() {
    sim::run(scenarios::replication::count_3b::<Tester>);
}
