//! Which events to show. Raw lines are always shown; harness events (the tester's
//! actions) pass every filter but the level and the time window, so a view always shows
//! the crashes and partitions that explain it.

use crate::parse::{Event, Level};

/// The viewer's filters; the default shows everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Servers to show, as `peer` or `group:peer` (empty: all).
    pub peers: Vec<String>,
    /// Topics or target prefixes to show (empty: all).
    pub topics: Vec<String>,
    /// The lowest level shown.
    pub level: Option<Level>,
    /// Events with a `term` outside this range (inclusive) are hidden.
    pub terms: Option<(u64, u64)>,
    /// Only events about this log index (a field `index`, or one ending in `_index`).
    pub index: Option<u64>,
    /// Only events from this virtual time on (seconds).
    pub from: Option<f64>,
    /// Only events up to this virtual time (seconds).
    pub to: Option<f64>,
}

impl Filter {
    /// Whether `e` is shown.
    pub fn shows(&self, e: &Event) -> bool {
        if self.level.is_some_and(|min| e.level < min) {
            return false;
        }
        if let Some(t) = e.t
            && (self.from.is_some_and(|from| t < from) || self.to.is_some_and(|to| t > to))
        {
            return false;
        }
        if e.is_harness() {
            return true;
        }
        self.shows_server(e) && self.shows_topic(e) && self.shows_term(e) && self.shows_index(e)
    }

    /// Whether the server `group:peer` (or `peer`) has a column.
    pub fn shows_column(&self, group: Option<&str>, peer: u64) -> bool {
        self.peers.is_empty()
            || self.peers.iter().any(|p| match p.split_once(':') {
                Some((g, n)) => Some(g) == group && n.parse() == Ok(peer),
                None => p.parse() == Ok(peer),
            })
    }

    fn shows_server(&self, e: &Event) -> bool {
        match e.peer {
            Some(peer) => self.shows_column(e.group.as_deref(), peer),
            None => self.peers.is_empty(),
        }
    }

    fn shows_topic(&self, e: &Event) -> bool {
        self.topics.is_empty()
            || self
                .topics
                .iter()
                .any(|t| e.topic() == t || e.target.starts_with(t.as_str()))
    }

    fn shows_term(&self, e: &Event) -> bool {
        match (self.terms, e.number("term")) {
            (Some((lo, hi)), Some(term)) => lo <= term && term <= hi,
            _ => true,
        }
    }

    fn shows_index(&self, e: &Event) -> bool {
        let Some(index) = self.index else {
            return true;
        };
        e.fields.iter().any(|(name, value)| {
            (name == "index" || name.ends_with("_index")) && value.parse() == Ok(index)
        })
    }
}

/// Parses a term range: `3` or `3..5` (inclusive).
pub fn parse_range(s: &str) -> Option<(u64, u64)> {
    match s.split_once("..") {
        Some((lo, hi)) => Some((lo.parse().ok()?, hi.parse().ok()?)),
        None => {
            let n = s.parse().ok()?;
            Some((n, n))
        }
    }
}
