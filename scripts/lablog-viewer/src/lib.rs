//! `lablog`: reads the labs' JSON logs (`LAB_LOG_JSON=1`) and lays them out with
//! virtual time on the left and one column per server, one block of columns per replica
//! group, the tester's actions across all columns, colours by topic, and filters.
//!
//! - [`parse`]: lines to events (anything else stays a raw line);
//! - [`filter`]: which events to show;
//! - [`layout`]: columns, lanes when they would be too narrow, wrapping, colours.

pub mod filter;
pub mod layout;
pub mod parse;

pub use filter::Filter;
pub use layout::{Options, render};
