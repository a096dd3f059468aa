//! The 2026 course's 3A tests: the scenarios both editions share
//! ([`lab3_raft::tester::scenarios::election`]), on the 2026 harness.

use common::sim;
use lab3_raft::tester::scenarios::election;
use lab3_raft_2026::tester::Test;

#[test]
fn test_initial_election_3a() {
    sim::run(election::initial_election_3a::<Test>);
}

#[test]
fn test_re_election_3a() {
    sim::run(election::re_election_3a::<Test>);
}

#[test]
fn test_many_elections_3a() {
    sim::run(election::many_elections_3a::<Test>);
}
