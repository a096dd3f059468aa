//! What the stress runner's tools share: [`catalogue`], the course's tests by sub-lab;
//! [`mutants`], the mutant files of the mutant suite.

pub mod catalogue;
pub mod mutants;
