//! The key/value model of the course's KV labs, partitioned by key.
//!
//! Each key starts as `""`. Get must return the current value; Put replaces it; Append
//! extends it. In Lab 2 an Append also returns the value before it, and the model checks
//! that ([`KvModel::append_returns_old`]); in Labs 4 and 5 it returns nothing
//! ([`KvModel::new`]), as the course's op codes 3 and 2.

mod history;
mod json;
mod unique;
mod value;

use super::{Model, Operation, Partition, Presolved};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use history::KvHistory;
pub use json::{JsonError, from_json, to_json};
pub use value::{KvValue, SharedValues};

/// A KV request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvInput {
    /// Read a key.
    Get {
        /// The key.
        key: String,
    },
    /// Replace a key's value.
    Put {
        /// The key.
        key: String,
        /// The new value.
        value: String,
    },
    /// Extend a key's value.
    Append {
        /// The key.
        key: String,
        /// What is appended.
        value: String,
    },
}

impl KvInput {
    /// The key the request is about.
    pub fn key(&self) -> &str {
        match self {
            KvInput::Get { key } | KvInput::Put { key, .. } | KvInput::Append { key, .. } => key,
        }
    }
}

/// A KV answer: the value a Get read, or the value before an Append in Lab 2. Ignored for
/// Put, and for Append in Labs 4 and 5.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvOutput {
    /// The value returned. Record values read through [`SharedValues`] so that a long
    /// history shares them.
    pub value: KvValue,
}

/// A KV operation as the tests record it.
pub type KvOperation = Operation<KvInput, KvOutput>;

/// The KV model; see the module documentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KvModel {
    append_returns_old: bool,
}

impl KvModel {
    /// Labs 4 and 5: Append returns nothing.
    pub fn new() -> KvModel {
        KvModel {
            append_returns_old: false,
        }
    }

    /// Lab 2: Append returns the value before it, and the model checks it.
    pub fn append_returns_old() -> KvModel {
        KvModel {
            append_returns_old: true,
        }
    }

    /// Whether Append's output is checked.
    pub fn checks_append_output(&self) -> bool {
        self.append_returns_old
    }
}

/// One partition per key, in key order: what a KV model's operations on different keys
/// cannot constrain in each other (P-compositionality). `key` names an input's key.
pub fn partition_by_key<I, O>(
    history: &[Operation<I, O>],
    key: impl Fn(&I) -> &str,
) -> Vec<Partition> {
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in history.iter().enumerate() {
        by_key.entry(key(&op.input)).or_default().push(i);
    }
    by_key
        .into_iter()
        .map(|(key, ops)| Partition {
            name: format!("key {key:?}"),
            ops,
        })
        .collect()
}

/// Values longer than this are shortened in descriptions.
const SHOWN: usize = 64;

/// A value for humans: quoted, and shortened in the middle when long (the end of a value,
/// where the latest appends are, is usually what matters).
pub fn show_value(v: &str) -> String {
    if v.len() <= SHOWN {
        return format!("{v:?}");
    }
    let mut head = 16;
    while !v.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = v.len() - (SHOWN - 16);
    while !v.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{:?}…({} bytes)…{:?}", &v[..head], tail - head, &v[tail..])
}

impl Model for KvModel {
    type State = KvValue;
    type Input = KvInput;
    type Output = KvOutput;

    fn init(&self) -> KvValue {
        KvValue::new("")
    }

    fn step(&self, state: &KvValue, input: &KvInput, output: &KvOutput) -> Option<KvValue> {
        match input {
            KvInput::Get { .. } => (*state == output.value).then(|| state.clone()),
            KvInput::Put { value, .. } => Some(KvValue::new(value)),
            KvInput::Append { value, .. } => {
                if self.append_returns_old && *state != output.value {
                    return None;
                }
                Some(state.append(value))
            }
        }
    }

    fn partition(&self, history: &[KvOperation]) -> Vec<Partition> {
        partition_by_key(history, |input| input.key())
    }

    fn describe_operation(&self, input: &KvInput, output: &KvOutput) -> String {
        match input {
            KvInput::Get { key } => {
                format!("Get({key:?}) -> {}", show_value(&output.value.to_string()))
            }
            KvInput::Put { key, value } => format!("Put({key:?}, {})", show_value(value)),
            KvInput::Append { key, value } if self.append_returns_old => format!(
                "Append({key:?}, {}) -> {}",
                show_value(value),
                show_value(&output.value.to_string())
            ),
            KvInput::Append { key, value } => format!("Append({key:?}, {})", show_value(value)),
        }
    }

    fn describe_state(&self, state: &KvValue) -> String {
        show_value(&state.to_string())
    }

    fn state_bytes(&self, state: &KvValue) -> usize {
        // States share their earlier pieces; each new one adds a node and its piece.
        96 + state.piece_len()
    }

    fn presolve(&self, history: &[KvOperation], partition: &Partition) -> Presolved {
        unique::presolve(self, history, &partition.ops)
    }

    fn history_json(&self, history: &[KvOperation]) -> Option<String> {
        Some(to_json(self, history))
    }
}
