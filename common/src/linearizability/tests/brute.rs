//! The checker against a brute-force search over every order, on thousands of small random
//! histories (seeded), and the presolver against the search on larger ones.

use super::*;
use crate::linearizability::Method;
use crate::linearizability::random_history::{Workload, corrupt_one_read, linearizable_kv};
use crate::sim::{RngExt, StdRng};
use rand::SeedableRng;
use std::collections::BTreeMap;

/// The KV semantics, written again independently of [`KvModel`], over all keys at once.
fn kv_step(
    lab2: bool,
    store: &BTreeMap<String, String>,
    op: &KvOperation,
) -> Option<BTreeMap<String, String>> {
    let mut next = store.clone();
    // Compared as plain text, apart from the model's own value type.
    let output = op.output.value.to_string();
    match &op.input {
        KvInput::Get { key } => {
            (store.get(key).map_or("", String::as_str) == output).then_some(next)
        }
        KvInput::Put { key, value } => {
            next.insert(key.clone(), value.clone());
            Some(next)
        }
        KvInput::Append { key, value } => {
            let old = next.entry(key.clone()).or_default();
            if lab2 && *old != output {
                return None;
            }
            old.push_str(value);
            Some(next)
        }
    }
}

/// Whether some order of the whole `history` respects real time and the KV semantics:
/// tries them all, with no partitioning and no memo.
fn brute_force(lab2: bool, history: &[KvOperation]) -> bool {
    fn go(
        lab2: bool,
        history: &[KvOperation],
        placed: &mut Vec<bool>,
        store: &BTreeMap<String, String>,
        left: usize,
    ) -> bool {
        if left == 0 {
            return true;
        }
        for i in 0..history.len() {
            if placed[i] {
                continue;
            }
            // `i` may go next only if no unplaced operation returned before it was called.
            let blocked = (0..history.len())
                .any(|j| !placed[j] && j != i && history[j].ret < history[i].call);
            if blocked {
                continue;
            }
            if let Some(next) = kv_step(lab2, store, &history[i]) {
                placed[i] = true;
                if go(lab2, history, placed, &next, left - 1) {
                    return true;
                }
                placed[i] = false;
            }
        }
        false
    }
    go(
        lab2,
        history,
        &mut vec![false; history.len()],
        &BTreeMap::new(),
        history.len(),
    )
}

/// A small history with random intervals and answers that are often, not always, right.
fn random_small(rng: &mut StdRng, unique: bool, lab2: bool) -> Vec<KvOperation> {
    let n = rng.random_range(1..=7);
    let keys = rng.random_range(1..=2);
    let mut written: Vec<Vec<String>> = vec![Vec::new(); keys];
    let mut history = Vec::new();
    for i in 0..n {
        let key_n = rng.random_range(0..keys);
        let key = key_n.to_string();
        let call = rng.random_range(0..30);
        let ret = call + rng.random_range(0..15);
        let client = rng.random_range(0..3);
        let value = if unique {
            format!("<{i}>")
        } else {
            ["a", "b", ""][rng.random_range(0..3)].to_string()
        };
        // A guess at what was read: some written values, concatenated.
        let mut guess = String::new();
        for _ in 0..rng.random_range(0..3) {
            if let Some(v) = written[key_n].get(rng.random_range(0..written[key_n].len().max(1))) {
                guess.push_str(v);
            }
        }
        let op = match rng.random_range(0..3) {
            0 => {
                written[key_n].push(value.clone());
                put(client, &key, &value, call, ret)
            }
            1 => {
                written[key_n].push(value.clone());
                append(
                    client,
                    &key,
                    &value,
                    if lab2 { &guess } else { "" },
                    call,
                    ret,
                )
            }
            _ => get(client, &key, &guess, call, ret),
        };
        history.push(op);
    }
    // Half the time, make the answers right for some order, so both verdicts are common.
    if rng.random_range(0..2) == 0 {
        let w = Workload {
            clients: 3,
            ops: n,
            keys,
            put_percent: 25,
            get_percent: 40,
            unique_values: unique,
            max_pause: 10,
            max_latency: 10,
            append_returns_old: lab2,
        };
        history = linearizable_kv(rng, &w);
        if rng.random_range(0..2) == 0 {
            corrupt_one_read(rng, &mut history);
        }
    }
    history
}

/// The seed of a randomized test: its own default, moved by `LAB_SEED` so that the stress
/// runner's seeds give each run other histories.
fn seed(default: u64) -> u64 {
    std::env::var("LAB_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(default, |s| {
            s.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(default)
        })
}

/// How to rerun a failing randomized test with the same histories.
fn replay() -> String {
    match std::env::var("LAB_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        Some(s) => format!("replay: {}", crate::sim::replay_command(s)),
        None => "replay: rerun the test (LAB_SEED unset: the fixed default seed)".to_string(),
    }
}

fn compare(seed: u64, count: usize, unique: bool, lab2: bool) -> (usize, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let model = if lab2 {
        KvModel::append_returns_old()
    } else {
        KvModel::new()
    };
    let (mut ok, mut illegal, mut presolved) = (0, 0, 0);
    for k in 0..count {
        let history = random_small(&mut rng, unique, lab2);
        let want = if brute_force(lab2, &history) {
            ok += 1;
            CheckResult::Ok
        } else {
            illegal += 1;
            CheckResult::Illegal
        };
        let v = verdict(&model, &history);
        assert_eq!(
            v.result,
            want,
            "history {k} of seed {seed} (with presolver), {}: {history:#?}",
            replay()
        );
        presolved += v
            .partitions
            .iter()
            .filter(|p| p.method == Method::Presolved)
            .count();
        let got = result(&SearchOnly(model), &history);
        assert_eq!(
            got,
            want,
            "history {k} of seed {seed} (search only), {}: {history:#?}",
            replay()
        );
    }
    // With unique values the presolver must decide most partitions, or it goes untested.
    if unique {
        assert!(presolved > count / 2, "{presolved} of {count} presolved");
    }
    (ok, illegal)
}

/// Both verdicts must be well represented, or the comparison proves little.
fn assert_mixed((ok, illegal): (usize, usize)) {
    assert!(ok > 500 && illegal > 500, "{ok} legal, {illegal} illegal");
}

#[test]
fn linearizability_agrees_with_brute_force_repeated_values() {
    assert_mixed(compare(seed(1), 5000, false, false));
}

#[test]
fn linearizability_agrees_with_brute_force_unique_values() {
    assert_mixed(compare(seed(2), 5000, true, false));
}

#[test]
fn linearizability_agrees_with_brute_force_lab2_appends() {
    assert_mixed(compare(seed(3), 3000, true, true));
    assert_mixed(compare(seed(4), 3000, false, true));
}

/// On histories too large for brute force, the presolver and the search must agree.
#[test]
fn linearizability_presolver_agrees_with_search() {
    let seed = seed(5);
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut ok, mut illegal, mut undecided) = (0, 0, 0);
    for k in 0..400 {
        let lab2 = k % 4 == 0;
        let w = Workload {
            // Concurrency the search alone can decide: appends that overlap widely make it
            // explore every order of them (which is why the presolver exists).
            clients: rng.random_range(2..=4),
            ops: rng.random_range(10..=50),
            keys: rng.random_range(1..=3),
            put_percent: rng.random_range(0..=30),
            get_percent: rng.random_range(30..=60),
            unique_values: true,
            max_pause: rng.random_range(0..=20),
            max_latency: rng.random_range(1..=15),
            append_returns_old: lab2,
        };
        let mut history = linearizable_kv(&mut rng, &w);
        let corrupt = k % 2 == 1;
        if corrupt {
            corrupt_one_read(&mut rng, &mut history);
        }
        let model = if lab2 {
            KvModel::append_returns_old()
        } else {
            KvModel::new()
        };
        let fast = verdict(&model, &history);
        let slow = verdict(&SearchOnly(model), &history);
        assert_ne!(
            fast.result,
            CheckResult::Unknown,
            "history {k} of seed {seed}, {}",
            replay()
        );
        // The search alone may run out of budget (a long run of overlapping appends before
        // a read makes it try every order of them: the reason the presolver exists); when
        // it decides, it must agree.
        if slow.result == CheckResult::Unknown {
            undecided += 1;
            continue;
        }
        assert_eq!(
            fast.result,
            slow.result,
            "history {k} of seed {seed}, {}: {history:#?}",
            replay()
        );
        if !corrupt {
            assert_eq!(
                fast.result,
                CheckResult::Ok,
                "generated histories are linearizable"
            );
        }
        match fast.result {
            CheckResult::Ok => ok += 1,
            _ => illegal += 1,
        }
    }
    assert!(ok > 200 && illegal > 50, "{ok} legal, {illegal} illegal");
    assert!(
        undecided <= 8,
        "the search alone left {undecided} of 400 undecided"
    );
}
