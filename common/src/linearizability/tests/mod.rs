//! Tests of the checker: hand-made histories, agreement with a brute-force search over all
//! orders, the presolver against the search, files and pictures, the recorder.

mod brute;
mod files;
mod hand;

pub(super) use super::SearchOnly;
use super::kv::{KvInput, KvModel, KvOperation, KvOutput};
use super::{Budget, CheckResult, Model, Operation, Presolved, Verdict, check};

pub(super) fn get(client: u64, key: &str, out: &str, call: u64, ret: u64) -> KvOperation {
    Operation {
        client_id: client,
        input: KvInput::Get { key: key.into() },
        call,
        output: KvOutput { value: out.into() },
        ret,
    }
}

pub(super) fn put(client: u64, key: &str, value: &str, call: u64, ret: u64) -> KvOperation {
    Operation {
        client_id: client,
        input: KvInput::Put {
            key: key.into(),
            value: value.into(),
        },
        call,
        output: KvOutput::default(),
        ret,
    }
}

/// An Append; `old` is its output (checked only by the Lab 2 model).
pub(super) fn append(
    client: u64,
    key: &str,
    value: &str,
    old: &str,
    call: u64,
    ret: u64,
) -> KvOperation {
    Operation {
        client_id: client,
        input: KvInput::Append {
            key: key.into(),
            value: value.into(),
        },
        call,
        output: KvOutput { value: old.into() },
        ret,
    }
}

pub(super) fn budget() -> Budget {
    Budget::from_timeout(std::time::Duration::from_secs(1))
}

pub(super) fn verdict<M: Model>(model: &M, history: &[Operation<M::Input, M::Output>]) -> Verdict {
    check(model, history, budget()).expect("well-formed history")
}

pub(super) fn result<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
) -> CheckResult {
    verdict(model, history).result
}

/// The presolver's answer for a one-key history.
pub(super) fn presolved(model: &KvModel, history: &[KvOperation]) -> Presolved {
    let parts = model.partition(history);
    assert_eq!(parts.len(), 1, "one key");
    model.presolve(history, &parts[0])
}
