//! Random KV histories of a correct service, for the checker's tests and benchmark.
//!
//! Clients issue operations back to back (each starts a random pause after the previous
//! returns); each operation takes effect at a random instant between its call and its
//! return, in which order a sequential map answers them. So the history is linearizable by
//! construction, and its concurrency is set by the pauses and latencies.

use super::kv::{KvInput, KvOperation, KvOutput, KvValue};
use crate::sim::{RngExt, StdRng};
use std::collections::BTreeMap;

/// The shape of a random KV workload.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Concurrent clients.
    pub clients: usize,
    /// Operations in all.
    pub ops: usize,
    /// Keys, named "0", "1", ...
    pub keys: usize,
    /// Percent of Puts; the rest splits between Appends and Gets.
    pub put_percent: u32,
    /// Percent of Gets.
    pub get_percent: u32,
    /// Written values unique (`"x <client> <n> y"`) or drawn from three letters.
    pub unique_values: bool,
    /// Longest pause (ns) of a client between two operations; 0 keeps clients always busy.
    pub max_pause: u64,
    /// Longest time (ns) from a call to its effect, and from the effect to the return.
    pub max_latency: u64,
    /// Appends return the old value (Lab 2).
    pub append_returns_old: bool,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            clients: 5,
            ops: 100,
            keys: 3,
            put_percent: 10,
            get_percent: 45,
            unique_values: true,
            max_pause: 1_000,
            max_latency: 5_000,
            append_returns_old: false,
        }
    }
}

/// A linearizable history of `w`.
pub fn linearizable_kv(rng: &mut StdRng, w: &Workload) -> Vec<KvOperation> {
    let clients = w.clients.max(1);
    let mut free_at = vec![0u64; clients];
    let mut counter = vec![0u64; clients];
    // (effect time, operation); outputs filled in effect order below.
    let mut pending: Vec<(u64, KvOperation)> = Vec::with_capacity(w.ops);
    for _ in 0..w.ops {
        // The client free earliest goes next, so that every client stays busy.
        let c = (0..clients)
            .min_by_key(|&c| (free_at[c], c))
            .expect("one client at least");
        let call = free_at[c] + rng.random_range(0..=w.max_pause);
        let effect = call + rng.random_range(1..=w.max_latency.max(1));
        let ret = effect + rng.random_range(1..=w.max_latency.max(1));
        free_at[c] = ret;
        let key = rng.random_range(0..w.keys.max(1)).to_string();
        let value = if w.unique_values {
            counter[c] += 1;
            format!("x {c} {} y", counter[c])
        } else {
            ["a", "b", "c"][rng.random_range(0..3)].to_string()
        };
        let roll = rng.random_range(0..100);
        let input = if roll < w.put_percent {
            KvInput::Put { key, value }
        } else if roll < w.put_percent + w.get_percent {
            KvInput::Get { key }
        } else {
            KvInput::Append { key, value }
        };
        pending.push((
            effect,
            KvOperation {
                client_id: c as u64,
                input,
                call,
                output: KvOutput::default(),
                ret,
            },
        ));
    }
    let mut by_effect: Vec<usize> = (0..pending.len()).collect();
    by_effect.sort_by_key(|&i| (pending[i].0, i));
    let mut store: BTreeMap<String, String> = BTreeMap::new();
    for i in by_effect {
        let op = &mut pending[i].1;
        match &op.input {
            KvInput::Get { key } => {
                op.output.value = store
                    .get(key)
                    .map_or_else(KvValue::default, |v| v.as_str().into());
            }
            KvInput::Put { key, value } => {
                store.insert(key.clone(), value.clone());
            }
            KvInput::Append { key, value } => {
                let current = store.entry(key.clone()).or_default();
                if w.append_returns_old {
                    op.output.value = current.as_str().into();
                }
                current.push_str(value);
            }
        }
    }
    let mut history: Vec<KvOperation> = pending.into_iter().map(|(_, op)| op).collect();
    history.sort_by_key(|op| (op.ret, op.client_id));
    history
}

/// Changes one Get's answer to the value some other Get of the same key saw (or to a
/// value never written): usually, though not always, makes the history illegal.
pub fn corrupt_one_read(rng: &mut StdRng, history: &mut [KvOperation]) {
    let gets: Vec<usize> = (0..history.len())
        .filter(|&i| matches!(history[i].input, KvInput::Get { .. }))
        .collect();
    if gets.is_empty() {
        return;
    }
    let victim = gets[rng.random_range(0..gets.len())];
    let key = history[victim].input.key().to_string();
    let others: Vec<KvValue> = gets
        .iter()
        .filter(|&&i| history[i].input.key() == key && i != victim)
        .map(|&i| history[i].output.value.clone())
        .collect();
    history[victim].output.value = if others.is_empty() || rng.random_range(0..4) == 0 {
        "never written".into()
    } else {
        others[rng.random_range(0..others.len())].clone()
    };
}
