//! What the stress runner's tools share: [`catalogue`], the course's tests by sub-lab;
//! [`mutants`], the mutant files of the mutant suite; [`outcome`], what one run printed.

pub mod catalogue;
pub mod mutants;
pub mod outcome;
