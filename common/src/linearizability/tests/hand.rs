//! Hand-made histories with known verdicts, through the whole checker and the presolver.

use super::*;
use crate::linearizability::{HistoryError, Method, check_operations, explain::explain};
use std::time::Duration;

fn both_ways(history: &[KvOperation], want: CheckResult) {
    let model = KvModel::new();
    assert_eq!(
        result(&model, history),
        want,
        "with the presolver: {history:#?}"
    );
    assert_eq!(
        result(&SearchOnly(model), history),
        want,
        "search only: {history:#?}"
    );
}

#[test]
fn linearizability_empty_history_is_ok() {
    assert_eq!(result(&KvModel::new(), &[]), CheckResult::Ok);
    assert_eq!(
        check_operations(&KvModel::new(), &[], Duration::from_secs(1)),
        CheckResult::Ok
    );
}

#[test]
fn linearizability_sequential_history_is_ok() {
    both_ways(
        &[
            get(0, "k", "", 0, 1),
            put(0, "k", "a", 2, 3),
            get(1, "k", "a", 4, 5),
            append(1, "k", "b", "", 6, 7),
            get(0, "k", "ab", 8, 9),
        ],
        CheckResult::Ok,
    );
}

#[test]
fn linearizability_stale_read_is_illegal() {
    let history = [
        put(0, "k", "a", 0, 10),
        put(1, "k", "b", 20, 30),
        get(2, "k", "a", 40, 50),
    ];
    both_ways(&history, CheckResult::Illegal);
    let model = KvModel::new();
    let v = verdict(&model, &history);
    let p = v.first_illegal().expect("an illegal partition");
    assert_eq!(p.stuck, Some(2), "the stale Get cannot be placed");
    assert_eq!(
        p.linearization,
        vec![0, 1],
        "the two Puts are the longest legal prefix"
    );
    assert_eq!(p.allowed, vec!["\"b\"".to_string()]);
    let text = explain(&model, &history, &v);
    assert!(text.contains("key \"k\""), "{text}");
    assert!(text.contains("client 2's Get(\"k\") -> \"a\""), "{text}");
    assert!(text.contains("only in state \"b\""), "{text}");
}

#[test]
fn linearizability_read_concurrent_with_write_may_see_either() {
    for seen in ["a", "b"] {
        both_ways(
            &[
                put(0, "k", "a", 0, 10),
                put(1, "k", "b", 20, 40),
                get(2, "k", seen, 30, 50),
            ],
            CheckResult::Ok,
        );
    }
}

#[test]
fn linearizability_touching_operations_count_as_concurrent() {
    // The Get is called at the instant the Put returns: either order is real.
    both_ways(
        &[put(0, "k", "a", 0, 10), get(1, "k", "", 10, 20)],
        CheckResult::Ok,
    );
    both_ways(
        &[put(0, "k", "a", 0, 10), get(1, "k", "", 11, 20)],
        CheckResult::Illegal,
    );
}

#[test]
fn linearizability_lost_append_is_illegal() {
    let writes = [
        append(0, "k", "x", "", 0, 10),
        append(1, "k", "y", "", 20, 30),
    ];
    for (seen, want) in [
        ("xy", CheckResult::Ok),
        ("y", CheckResult::Illegal),
        ("x", CheckResult::Illegal),
        ("yx", CheckResult::Illegal),
    ] {
        let mut history = writes.to_vec();
        history.push(get(2, "k", seen, 40, 50));
        both_ways(&history, want);
    }
}

#[test]
fn linearizability_concurrent_appends_may_land_in_either_order() {
    let writes = [
        append(0, "k", "x", "", 0, 30),
        append(1, "k", "y", "", 10, 40),
    ];
    for (seen, want) in [
        ("xy", CheckResult::Ok),
        ("yx", CheckResult::Ok),
        ("x", CheckResult::Illegal),
        ("", CheckResult::Illegal),
    ] {
        let mut history = writes.to_vec();
        history.push(get(2, "k", seen, 50, 60));
        both_ways(&history, want);
    }
}

#[test]
fn linearizability_reads_cannot_go_back_in_time() {
    // Once one read saw the concurrent write, a later read cannot miss it.
    both_ways(
        &[
            put(0, "k", "a", 0, 100),
            get(1, "k", "a", 10, 20),
            get(1, "k", "", 30, 40),
        ],
        CheckResult::Illegal,
    );
    both_ways(
        &[
            put(0, "k", "a", 0, 100),
            get(1, "k", "", 10, 20),
            get(1, "k", "a", 30, 40),
        ],
        CheckResult::Ok,
    );
}

#[test]
fn linearizability_lab2_append_output_is_checked() {
    let history = |old: &str| {
        vec![
            put(0, "k", "a", 0, 10),
            append(1, "k", "b", old, 20, 30),
            get(0, "k", "ab", 40, 50),
        ]
    };
    let lab2 = KvModel::append_returns_old();
    assert_eq!(result(&lab2, &history("a")), CheckResult::Ok);
    assert_eq!(result(&lab2, &history("")), CheckResult::Illegal);
    assert_eq!(
        result(&SearchOnly(lab2), &history("")),
        CheckResult::Illegal
    );
    // Labs 4 and 5 ignore what an Append returns.
    assert_eq!(result(&KvModel::new(), &history("")), CheckResult::Ok);
}

#[test]
fn linearizability_repeated_values_go_to_the_search() {
    let history = [
        put(0, "k", "a", 0, 10),
        put(1, "k", "a", 5, 15),
        get(2, "k", "a", 20, 30),
    ];
    assert_eq!(presolved(&KvModel::new(), &history), Presolved::Unsure);
    let v = verdict(&KvModel::new(), &history);
    assert_eq!(v.result, CheckResult::Ok);
    assert_eq!(v.partitions[0].method, Method::Search);
}

#[test]
fn linearizability_ambiguous_split_goes_to_the_search() {
    // "ab" is the Put, or the two Appends: the presolver cannot tell.
    let history = [
        put(0, "k", "ab", 0, 10),
        append(1, "k", "a", "", 0, 10),
        append(2, "k", "b", "", 0, 10),
        get(3, "k", "ab", 20, 30),
    ];
    assert_eq!(presolved(&KvModel::new(), &history), Presolved::Unsure);
    both_ways(&history, CheckResult::Ok);
}

#[test]
fn linearizability_presolver_decides_unique_values() {
    let ok = [
        put(0, "k", "a", 0, 10),
        append(1, "k", "b", "", 5, 25),
        get(2, "k", "ab", 20, 30),
    ];
    assert!(matches!(
        presolved(&KvModel::new(), &ok),
        Presolved::Linearizable(_)
    ));
    let v = verdict(&KvModel::new(), &ok);
    assert_eq!(
        (v.result, v.partitions[0].method),
        (CheckResult::Ok, Method::Presolved)
    );
    let bad = [
        put(0, "k", "a", 0, 10),
        append(1, "k", "b", "", 20, 30),
        get(2, "k", "b", 40, 50),
    ];
    assert!(matches!(
        presolved(&KvModel::new(), &bad),
        Presolved::Illegal { .. }
    ));
    let never = [put(0, "k", "a", 0, 10), get(1, "k", "z", 20, 30)];
    match presolved(&KvModel::new(), &never) {
        Presolved::Illegal { reason, culprits } => {
            assert!(reason.contains("no sequence"), "{reason}");
            assert_eq!(culprits, vec![1]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn linearizability_first_illegal_key_is_reported() {
    let history = [
        put(0, "a", "1", 0, 10),
        get(1, "a", "1", 20, 30),
        put(0, "b", "1", 0, 10),
        get(1, "b", "", 20, 30),
        put(0, "c", "1", 0, 10),
        get(1, "c", "2", 20, 30),
    ];
    let v = verdict(&KvModel::new(), &history);
    assert_eq!(v.result, CheckResult::Illegal);
    let names: Vec<&str> = v.partitions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["key \"a\"", "key \"b\"", "key \"c\""]);
    assert_eq!(
        v.first_illegal().map(|p| p.name.as_str()),
        Some("key \"b\"")
    );
    assert_eq!(v.partitions[0].result, CheckResult::Ok);
}

#[test]
fn linearizability_return_before_call_is_an_error_not_a_panic() {
    let history = [put(0, "k", "a", 10, 5)];
    let err = check(&KvModel::new(), &history, budget()).unwrap_err();
    assert_eq!(
        err,
        HistoryError::ReturnBeforeCall {
            index: 0,
            call: 10,
            ret: 5
        }
    );
    assert!(err.to_string().contains("returns"), "{err}");
    assert_eq!(
        check_operations(&KvModel::new(), &history, Duration::from_secs(1)),
        CheckResult::Illegal
    );
}

#[test]
fn linearizability_budget_exhausted_is_unknown_and_deterministic() {
    let mut history = Vec::new();
    for c in 0..8 {
        history.push(append(c, "k", "v", "", 0, 100));
    }
    history.push(get(9, "k", "vvvvvvvx", 200, 300));
    let tiny = Budget {
        steps: 20,
        memory: 1 << 20,
    };
    let model = SearchOnly(KvModel::new());
    let first = check(&model, &history, tiny).unwrap();
    assert_eq!(first.result, CheckResult::Unknown);
    let again = check(&model, &history, tiny).unwrap();
    assert_eq!(first.steps(), again.steps());
    assert_eq!(
        first.partitions[0].linearization,
        again.partitions[0].linearization
    );
    assert!(explain(&model, &history, &first).contains("undecided"));
    // With a real budget the search proves it illegal.
    assert_eq!(result(&model, &history), CheckResult::Illegal);
}

/// A FIFO queue, unpartitioned: exercises the search on another model.
struct Queue;

#[derive(Debug, Clone, PartialEq, Eq)]
enum QueueOp {
    Enqueue(u8),
    Dequeue,
}

impl Model for Queue {
    type State = Vec<u8>;
    type Input = QueueOp;
    type Output = Option<u8>;
    fn init(&self) -> Vec<u8> {
        Vec::new()
    }
    fn step(&self, s: &Vec<u8>, i: &QueueOp, o: &Option<u8>) -> Option<Vec<u8>> {
        match i {
            QueueOp::Enqueue(v) => {
                let mut next = s.clone();
                next.push(*v);
                Some(next)
            }
            QueueOp::Dequeue => {
                (s.first().copied() == *o).then(|| s.get(1..).unwrap_or_default().to_vec())
            }
        }
    }
    fn describe_operation(&self, i: &QueueOp, o: &Option<u8>) -> String {
        format!("{i:?} -> {o:?}")
    }
    fn describe_state(&self, s: &Vec<u8>) -> String {
        format!("{s:?}")
    }
}

#[test]
fn linearizability_other_models_use_the_search() {
    let op = |client, input, output, call, ret| Operation {
        client_id: client,
        input,
        call,
        output,
        ret,
    };
    let ok = [
        op(0, QueueOp::Enqueue(1), None, 0, 10),
        op(1, QueueOp::Enqueue(2), None, 0, 10),
        op(2, QueueOp::Dequeue, Some(2), 20, 30),
        op(2, QueueOp::Dequeue, Some(1), 40, 50),
    ];
    assert_eq!(result(&Queue, &ok), CheckResult::Ok);
    let bad = [
        op(0, QueueOp::Enqueue(1), None, 0, 10),
        op(1, QueueOp::Enqueue(2), None, 20, 30),
        op(2, QueueOp::Dequeue, Some(2), 40, 50),
    ];
    assert_eq!(result(&Queue, &bad), CheckResult::Illegal);
}

/// The presolver's reason for `history`, which must be illegal.
fn reason(history: &[KvOperation]) -> String {
    match presolved(&KvModel::new(), history) {
        Presolved::Illegal { reason, .. } => reason,
        other => panic!("expected illegal, got {other:?}"),
    }
}

#[test]
fn linearizability_presolver_reasons_name_the_contradiction() {
    // Two reads disagree on what followed the Put.
    let why = reason(&[
        put(0, "k", "p", 0, 10),
        append(1, "k", "a", "", 0, 20),
        append(2, "k", "b", "", 0, 20),
        get(3, "k", "pa", 30, 40),
        get(4, "k", "pb", 30, 40),
    ]);
    assert!(why.contains("came right after"), "{why}");
    // One write seen twice.
    let why = reason(&[
        append(0, "k", "a", "", 0, 10),
        append(1, "k", "b", "", 0, 10),
        get(2, "k", "aba", 20, 30),
    ]);
    assert!(why.contains("twice"), "{why}");
    // A read of the start value after a write returned.
    let why = reason(&[put(0, "k", "a", 0, 10), get(1, "k", "", 20, 30)]);
    assert!(why.contains("from before it"), "{why}");
    // A read that saw a write called after the read returned.
    let why = reason(&[get(1, "k", "a", 0, 10), put(0, "k", "a", 20, 30)]);
    assert!(why.contains("returned before that was called"), "{why}");
    // Two groups that real time orders both ways.
    let why = reason(&[
        put(0, "k", "a", 0, 10),
        get(1, "k", "a", 50, 60),
        put(2, "k", "b", 20, 30),
        get(3, "k", "b", 40, 45),
    ]);
    assert!(why.contains("can go next"), "{why}");
}

/// One writer appending to its key for a long time, with empty Puts (values repeat, so no
/// presolver): the course's fixed-key tests. Cut at quiet points, the search stays linear.
#[test]
fn linearizability_long_single_writer_history_is_decided() {
    let mut history = Vec::new();
    let mut value = String::new();
    let mut t = 0;
    for j in 0..6000 {
        if j % 2000 == 0 {
            history.push(put(0, "k", "", t, t + 5));
            value.clear();
        } else if j % 3 == 0 {
            history.push(get(0, "k", &value, t, t + 5));
        } else {
            let v = format!("x 0 {j} y");
            history.push(append(0, "k", &v, "", t, t + 5));
            value.push_str(&v);
        }
        t += 10;
    }
    let model = SearchOnly(KvModel::new());
    let v = verdict(&model, &history);
    assert_eq!(v.result, CheckResult::Ok);
    // A stale read deep inside is found, with everything before it as the legal prefix.
    let stale = 4005;
    assert!(matches!(history[stale].input, KvInput::Get { .. }));
    history[stale].output.value = history[stale].output.value.append("x");
    let v = verdict(&model, &history);
    let p = v.first_illegal().expect("illegal");
    assert_eq!(p.stuck, Some(stale));
    assert_eq!(p.linearization.len(), stale);
    assert_eq!(p.allowed.len(), 1);
}

/// Regression (found by Lab 4's test_basic_4a): a long history on one key made a chain of
/// one search path link per sequential segment, and dropping it recursed once per link
/// until the stack overflowed.
#[test]
fn linearizability_long_sequential_history_does_not_overflow_the_stack() {
    let history: Vec<KvOperation> = (0..200_000u64)
        .map(|i| {
            let value = (i % 7).to_string();
            put(0, "k", &value, 2 * i, 2 * i + 1)
        })
        .collect();
    let model = SearchOnly(KvModel::new());
    assert_eq!(result(&model, &history), CheckResult::Ok);
}
