//! The JSON file of a KV history, as `LAB_HISTORY_DIR` saves it.
//!
//! One array, one object per operation, in the order they were recorded:
//! `{"client_id":3,"kind":"append","key":"k","value":"x 3 7 y","output":null,"call":1200000,"ret":1450000}`.
//! `kind` is `get`, `put` or `append`; `value` is null for a Get; `output` is what came
//! back: the value for a Get, the old value for a Lab 2 Append, otherwise null. Times are
//! virtual nanoseconds. The file is plain so other tools (porcupine, a notebook) can read it.

use super::{KvInput, KvModel, KvOperation, KvOutput};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Serialize, Deserialize)]
struct Record {
    client_id: u64,
    kind: String,
    key: String,
    value: Option<String>,
    output: Option<String>,
    call: u64,
    ret: u64,
}

/// Why a history file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON of the expected shape.
    Syntax(String),
    /// Operation `index` is not a valid KV operation.
    Operation {
        /// Its position in the file.
        index: usize,
        /// What is wrong with it.
        why: String,
    },
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax(why) => write!(f, "not a KV history: {why}"),
            JsonError::Operation { index, why } => write!(f, "operation {index}: {why}"),
        }
    }
}

impl std::error::Error for JsonError {}

/// The history as the JSON array described in the module documentation.
pub fn to_json(model: &KvModel, history: &[KvOperation]) -> String {
    let records: Vec<Record> = history
        .iter()
        .map(|op| {
            let (kind, key, value, output) = match &op.input {
                KvInput::Get { key } => ("get", key, None, Some(op.output.value.to_string())),
                KvInput::Put { key, value } => ("put", key, Some(value.clone()), None),
                KvInput::Append { key, value } => (
                    "append",
                    key,
                    Some(value.clone()),
                    model
                        .checks_append_output()
                        .then(|| op.output.value.to_string()),
                ),
            };
            Record {
                client_id: op.client_id,
                kind: kind.to_string(),
                key: key.clone(),
                value,
                output,
                call: op.call,
                ret: op.ret,
            }
        })
        .collect();
    serde_json::to_string_pretty(&records).expect("records serialize")
}

/// Reads a history file back, with the model it was recorded for (Lab 2's if any Append
/// has an output).
pub fn from_json(text: &str) -> Result<(KvModel, Vec<KvOperation>), JsonError> {
    let records: Vec<Record> =
        serde_json::from_str(text).map_err(|e| JsonError::Syntax(e.to_string()))?;
    let mut model = KvModel::new();
    let mut history = Vec::with_capacity(records.len());
    for (index, r) in records.into_iter().enumerate() {
        let bad = |why: &str| JsonError::Operation {
            index,
            why: why.to_string(),
        };
        let (input, output) = match (r.kind.as_str(), r.value, r.output) {
            ("get", None, Some(out)) => (KvInput::Get { key: r.key }, out),
            ("get", _, None) => return Err(bad("a get needs an output")),
            ("get", Some(_), _) => return Err(bad("a get has no value")),
            ("put", Some(value), None) => (KvInput::Put { key: r.key, value }, String::new()),
            ("put", _, Some(_)) => return Err(bad("a put has no output")),
            ("append", Some(value), out) => {
                if out.is_some() {
                    model = KvModel::append_returns_old();
                }
                (
                    KvInput::Append { key: r.key, value },
                    out.unwrap_or_default(),
                )
            }
            ("put" | "append", None, _) => return Err(bad("a put or append needs a value")),
            (other, _, _) => {
                return Err(bad(&format!(
                    "unknown kind {other:?} (expected get, put or append)"
                )));
            }
        };
        if r.ret < r.call {
            return Err(bad("returns before it is called"));
        }
        history.push(KvOperation {
            client_id: r.client_id,
            input,
            call: r.call,
            output: KvOutput {
                value: output.into(),
            },
            ret: r.ret,
        });
    }
    Ok((model, history))
}
