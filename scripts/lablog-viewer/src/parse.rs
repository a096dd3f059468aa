//! Reading a log: each line is an [`Event`] (a JSON object as `common`'s JSON log layer
//! writes it) or, for anything else (test output, a panic message, a truncated last
//! line), a raw line kept as it is.

use serde_json::{Map, Value};

/// One line of the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A log event.
    Event(Event),
    /// A line that is not a log event, shown as it is.
    Raw(String),
}

/// A log event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Virtual time in seconds (`None`: logged outside a simulated world).
    pub t: Option<f64>,
    /// `TRACE`, `DEBUG`, `INFO`, `WARN` or `ERROR`.
    pub level: Level,
    /// The module that logged it (`harness` for the tester's own actions).
    pub target: String,
    /// The message.
    pub msg: String,
    /// The replica group of the server it belongs to, if the service has several.
    pub group: Option<String>,
    /// The server it belongs to (its index in its group).
    pub peer: Option<u64>,
    /// The other fields, in order, as `name`, display text.
    pub fields: Vec<(String, String)>,
}

/// A log level, ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Finest detail.
    Trace,
    /// Protocol steps.
    Debug,
    /// Milestones (elections, harness actions).
    Info,
    /// Something unexpected, handled.
    Warn,
    /// Something wrong.
    Error,
}

impl Level {
    /// Parses a level name, in any case.
    pub fn parse(s: &str) -> Option<Level> {
        match s.to_ascii_uppercase().as_str() {
            "TRACE" => Some(Level::Trace),
            "DEBUG" => Some(Level::Debug),
            "INFO" => Some(Level::Info),
            "WARN" => Some(Level::Warn),
            "ERROR" => Some(Level::Error),
            _ => None,
        }
    }
}

impl Event {
    /// The tester's own action (a crash, a partition, a client operation, ...).
    pub fn is_harness(&self) -> bool {
        self.target == "harness"
    }

    /// The topic: the last part of the target (`lab3_raft::core::replication` is
    /// `replication`).
    pub fn topic(&self) -> &str {
        self.target.rsplit("::").next().unwrap_or(&self.target)
    }

    /// The value of field `name`, as a number.
    pub fn number(&self, name: &str) -> Option<u64> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.parse().ok())
    }

    /// The message and the other fields, as the viewer prints them.
    pub fn text(&self) -> String {
        let mut text = self.msg.clone();
        for (name, value) in &self.fields {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(name);
            text.push('=');
            text.push_str(value);
        }
        text
    }
}

/// Parses the whole input, line by line. Never fails: what is not an event is raw.
pub fn parse(input: &str) -> Vec<Line> {
    input.lines().map(parse_line).collect()
}

/// Parses one line.
pub fn parse_line(line: &str) -> Line {
    let trimmed = line.trim();
    if !trimmed.starts_with('{') {
        return Line::Raw(line.to_string());
    }
    match serde_json::from_str::<Map<String, Value>>(trimmed) {
        Ok(object) => match event(object) {
            Some(e) => Line::Event(e),
            None => Line::Raw(line.to_string()),
        },
        Err(_) => Line::Raw(line.to_string()),
    }
}

/// An event from a JSON object, if it has at least a message or a level.
fn event(object: Map<String, Value>) -> Option<Event> {
    let mut e = Event {
        t: None,
        level: Level::Info,
        target: String::new(),
        msg: String::new(),
        group: None,
        peer: None,
        fields: Vec::new(),
    };
    let mut known = false;
    for (name, value) in object {
        match name.as_str() {
            "t" => e.t = value.as_f64(),
            "level" => {
                e.level = value.as_str().and_then(Level::parse).unwrap_or(Level::Info);
                known = true;
            }
            "target" => e.target = display(&value),
            "msg" => {
                e.msg = display(&value);
                known = true;
            }
            "group" => e.group = Some(display(&value)),
            "peer" => e.peer = value.as_u64(),
            _ => e.fields.push((name, display(&value))),
        }
    }
    known.then_some(e)
}

/// A JSON value as text: strings without quotes.
fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}
