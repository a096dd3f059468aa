//! The course's 3A tests: leader election. Their steps are the same in the 2026 edition,
//! so they live in [`lab3_raft::tester::scenarios::election`], run here on the 2024
//! tester.

use common::sim;
use lab3_raft::tester::{Tester, scenarios};

#[test]
fn test_initial_election_3a() {
    sim::run(scenarios::election::initial_election_3a::<Tester>);
}

#[test]
fn test_re_election_3a() {
    sim::run(scenarios::election::re_election_3a::<Tester>);
}

#[test]
fn test_many_elections_3a() {
    sim::run(scenarios::election::many_elections_3a::<Tester>);
}
