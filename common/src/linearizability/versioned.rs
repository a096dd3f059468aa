//! The versioned key/value model of the 2026 course (`models1/kv.go`), partitioned by key.
//!
//! Each key starts as `("", 0)`. A Get must read the key's value (its version and error are
//! not checked, so a Get answering `ErrNoKey` with `""` matches a key never written). A
//! Put naming the key's version must answer `OK` or `ErrMaybe` and makes the value its own
//! at the next version; a Put naming another version must answer `ErrVersion` or
//! `ErrMaybe` and changes nothing. So `ErrMaybe` is allowed either way, and the search
//! tries both orders that give it a meaning. Any other answer is illegal.

use super::{Model, Operation, Partition, Presolved};
use crate::kvtest::rpc::{KvErr, Tversion};
use crate::linearizability::kv::{partition_by_key, show_value};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A versioned KV request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionedInput {
    /// Read a key.
    Get {
        /// The key.
        key: String,
    },
    /// Write a key if it has `version`.
    Put {
        /// The key.
        key: String,
        /// The new value.
        value: String,
        /// The version the Put names.
        version: Tversion,
    },
}

impl VersionedInput {
    /// The key the request is about.
    pub fn key(&self) -> &str {
        match self {
            VersionedInput::Get { key } | VersionedInput::Put { key, .. } => key,
        }
    }
}

/// A versioned KV answer: what a Get read, or how a Put ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedOutput {
    /// The value read (empty for a Put).
    pub value: Arc<str>,
    /// The version read (0 for a Put).
    pub version: Tversion,
    /// The error the clerk returned.
    pub err: KvErr,
}

/// A versioned KV operation as the tests record it.
pub type VersionedOperation = Operation<VersionedInput, VersionedOutput>;

/// One key's state: its value and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionedState {
    /// The value.
    pub value: Arc<str>,
    /// The version.
    pub version: Tversion,
}

/// The versioned KV model; see the module documentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VersionedKvModel;

impl Model for VersionedKvModel {
    type State = VersionedState;
    type Input = VersionedInput;
    type Output = VersionedOutput;

    fn init(&self) -> VersionedState {
        VersionedState {
            value: Arc::from(""),
            version: 0,
        }
    }

    fn step(
        &self,
        state: &VersionedState,
        input: &VersionedInput,
        output: &VersionedOutput,
    ) -> Option<VersionedState> {
        match input {
            VersionedInput::Get { .. } => (state.value == output.value).then(|| state.clone()),
            VersionedInput::Put { value, version, .. } => {
                let applies = *version == state.version;
                match (applies, output.err) {
                    (true, KvErr::Ok | KvErr::ErrMaybe) => Some(VersionedState {
                        value: Arc::from(value.as_str()),
                        version: state.version + 1,
                    }),
                    (false, KvErr::ErrVersion | KvErr::ErrMaybe) => Some(state.clone()),
                    _ => None,
                }
            }
        }
    }

    fn partition(&self, history: &[VersionedOperation]) -> Vec<Partition> {
        partition_by_key(history, |input| input.key())
    }

    fn describe_operation(&self, input: &VersionedInput, output: &VersionedOutput) -> String {
        match input {
            VersionedInput::Get { key } => format!(
                "get({key:?}) -> ({}, {}, {})",
                show_value(&output.value),
                output.version,
                output.err
            ),
            VersionedInput::Put {
                key,
                value,
                version,
            } => format!(
                "put({key:?}, {}, {version}) -> {}",
                show_value(value),
                output.err
            ),
        }
    }

    fn describe_state(&self, state: &VersionedState) -> String {
        format!("({}, {})", show_value(&state.value), state.version)
    }

    fn state_bytes(&self, state: &VersionedState) -> usize {
        48 + state.value.len()
    }

    fn presolve(&self, history: &[VersionedOperation], partition: &Partition) -> Presolved {
        match witness(history, &partition.ops) {
            Some(order) => match super::witness::verify(self, history, &partition.ops, &order) {
                Ok(()) => Presolved::Linearizable(order),
                Err(why) => {
                    tracing::debug!(partition = %partition.name, %why, "no witness from versions");
                    Presolved::Unsure
                }
            },
            None => Presolved::Unsure,
        }
    }
}

/// A candidate linearization of one key's operations, built from the versions the server
/// reported; the checker replays it before it believes it, and searches when it is wrong
/// or missing (so this may guess, but never decides illegality).
///
/// The applied Puts are known: a Put that answered `OK` at version `v` moved the key from
/// `v` to `v + 1`, and where no `OK` Put did, an `ErrMaybe` Put at `v` must have (the one
/// whose value a later Get read, if any). They split time into epochs, one per version.
/// A Get belongs to the epoch of the version it read; a Put that changed nothing to an
/// epoch it could have run in, other than its own version's: at least the latest epoch
/// something that returned before its call had reached, at most the number of applied
/// Puts called before it returned. Each epoch's operations go in the order of their calls,
/// then the Put that ends it.
fn witness(history: &[VersionedOperation], ops: &[usize]) -> Option<Vec<usize>> {
    use std::collections::BTreeMap;
    // The Put that applied at each version.
    let mut applied: BTreeMap<Tversion, usize> = BTreeMap::new();
    let mut maybes: BTreeMap<Tversion, Vec<usize>> = BTreeMap::new();
    let mut read_values: BTreeMap<Tversion, Vec<Arc<str>>> = BTreeMap::new();
    let mut last = 0;
    for &i in ops {
        let op = &history[i];
        match &op.input {
            VersionedInput::Get { .. } => {
                let version = if op.output.err == KvErr::Ok {
                    op.output.version
                } else {
                    0
                };
                read_values
                    .entry(version)
                    .or_default()
                    .push(op.output.value.clone());
                last = last.max(version);
            }
            VersionedInput::Put { version, .. } => match op.output.err {
                KvErr::Ok => {
                    if applied.insert(*version, i).is_some() {
                        return None;
                    }
                    last = last.max(version.checked_add(1)?);
                }
                KvErr::ErrMaybe => maybes.entry(*version).or_default().push(i),
                _ => {}
            },
        }
    }
    // A legal history reaches no more versions than it has Puts: a server that reported
    // an absurd version (u64::MAX, say) gets no witness, and the search decides, rather
    // than an epoch per version.
    if last > ops.len() as u64 {
        return None;
    }
    // Every version below the last reached was left by some Put.
    for v in 0..last {
        if applied.contains_key(&v) {
            continue;
        }
        let candidates = maybes.get(&v)?;
        let read_next = read_values.get(&(v + 1));
        let pick = candidates
            .iter()
            .copied()
            .find(|&i| match (&history[i].input, read_next) {
                (VersionedInput::Put { value, .. }, Some(reads)) => {
                    reads.iter().any(|r| **r == **value)
                }
                _ => false,
            })
            .or_else(|| candidates.iter().copied().min_by_key(|&i| history[i].call))?;
        applied.insert(v, pick);
    }
    let transitions: Vec<usize> = (0..last).map(|v| applied[&v]).collect();
    let transition_of: BTreeMap<usize, Tversion> = applied.iter().map(|(&v, &i)| (i, v)).collect();
    let mut calls: Vec<u64> = transitions.iter().map(|&i| history[i].call).collect();
    calls.sort_unstable();
    let upper = |t: u64| -> Tversion { calls.partition_point(|&c| c < t) as Tversion };
    // In the order of calls: what had surely been reached when an operation was called is
    // the latest epoch of any operation that returned before, and those were all called
    // before it, so their epochs are known by then.
    let mut by_call: Vec<usize> = ops.to_vec();
    by_call.sort_by_key(|&i| history[i].call);
    let mut returned: std::collections::BinaryHeap<std::cmp::Reverse<(u64, Tversion)>> =
        std::collections::BinaryHeap::new();
    let mut reached = 0;
    let mut epochs: Vec<Vec<usize>> = vec![Vec::new(); last as usize + 1];
    for i in by_call {
        let op = &history[i];
        while let Some(&std::cmp::Reverse((ret, epoch))) = returned.peek() {
            if ret >= op.call {
                break;
            }
            reached = reached.max(epoch);
            returned.pop();
        }
        let (epoch, after) = match &op.input {
            VersionedInput::Get { .. } => {
                let e = if op.output.err == KvErr::Ok {
                    op.output.version
                } else {
                    0
                };
                (Some(e), e)
            }
            VersionedInput::Put { .. } if transition_of.contains_key(&i) => {
                (None, transition_of[&i] + 1)
            }
            VersionedInput::Put { version, .. } => {
                let e = (reached..=upper(op.ret).min(last)).find(|e| e != version)?;
                (Some(e), e)
            }
        };
        returned.push(std::cmp::Reverse((op.ret, after)));
        if let Some(e) = epoch {
            epochs.get_mut(e as usize)?.push(i);
        }
    }
    let mut order = Vec::with_capacity(ops.len());
    for (v, mut epoch) in epochs.into_iter().enumerate() {
        epoch.sort_by_key(|&i| history[i].call);
        order.extend(epoch);
        if let Some(&t) = transitions.get(v) {
            order.push(t);
        }
    }
    Some(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linearizability::{Budget, CheckResult, check};

    fn put(
        client: u64,
        v: &str,
        version: Tversion,
        err: KvErr,
        call: u64,
        ret: u64,
    ) -> VersionedOperation {
        Operation {
            client_id: client,
            input: VersionedInput::Put {
                key: "k".into(),
                value: v.into(),
                version,
            },
            call,
            output: VersionedOutput {
                value: Arc::from(""),
                version: 0,
                err,
            },
            ret,
        }
    }

    fn get(client: u64, v: &str, version: Tversion, call: u64, ret: u64) -> VersionedOperation {
        Operation {
            client_id: client,
            input: VersionedInput::Get { key: "k".into() },
            call,
            output: VersionedOutput {
                value: Arc::from(v),
                version,
                err: KvErr::Ok,
            },
            ret,
        }
    }

    fn verdict(history: &[VersionedOperation]) -> CheckResult {
        check(
            &VersionedKvModel,
            history,
            Budget::from_timeout(std::time::Duration::from_secs(1)),
        )
        .expect("well formed")
        .result
    }

    #[test]
    fn a_put_at_the_version_applies_and_a_stale_one_does_not() {
        let ok = [
            put(0, "a", 0, KvErr::Ok, 0, 1),
            put(1, "b", 0, KvErr::ErrVersion, 2, 3),
            get(2, "a", 1, 4, 5),
        ];
        assert_eq!(verdict(&ok), CheckResult::Ok);
        let stale_applied = [
            put(0, "a", 0, KvErr::Ok, 0, 1),
            put(1, "b", 0, KvErr::Ok, 2, 3),
        ];
        assert_eq!(verdict(&stale_applied), CheckResult::Illegal);
    }

    #[test]
    fn err_maybe_may_mean_either_outcome() {
        let applied = [put(0, "a", 0, KvErr::ErrMaybe, 0, 1), get(1, "a", 1, 2, 3)];
        assert_eq!(verdict(&applied), CheckResult::Ok);
        // At its own version a Put applies; a read that may come first may miss it.
        let read_first = [put(0, "a", 0, KvErr::ErrMaybe, 0, 3), get(1, "", 0, 1, 2)];
        assert_eq!(verdict(&read_first), CheckResult::Ok);
        let missed = [put(0, "a", 0, KvErr::ErrMaybe, 0, 1), get(1, "", 0, 2, 3)];
        assert_eq!(verdict(&missed), CheckResult::Illegal);
        // Not at its own version, it changes nothing.
        let stale = [
            put(0, "a", 0, KvErr::Ok, 0, 1),
            put(1, "b", 0, KvErr::ErrMaybe, 2, 3),
            get(2, "a", 1, 4, 5),
        ];
        assert_eq!(verdict(&stale), CheckResult::Ok);
    }

    #[test]
    fn an_absurd_version_read_is_judged_without_an_epoch_per_version() {
        let absurd = [put(0, "a", 0, KvErr::Ok, 0, 1), get(1, "a", u64::MAX, 2, 3)];
        // The model does not check a Get's version: legal, and decided by the search.
        assert_eq!(verdict(&absurd), CheckResult::Ok);
        let max = [put(0, "a", u64::MAX, KvErr::Ok, 0, 1)];
        assert_eq!(verdict(&max), CheckResult::Illegal);
    }

    #[test]
    fn a_put_cannot_answer_no_key_and_a_get_must_read_the_value() {
        assert_eq!(
            verdict(&[put(0, "a", 0, KvErr::ErrNoKey, 0, 1)]),
            CheckResult::Illegal
        );
        assert_eq!(
            verdict(&[put(0, "a", 0, KvErr::Ok, 0, 1), get(1, "", 0, 2, 3)]),
            CheckResult::Illegal
        );
    }
}
