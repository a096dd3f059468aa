//! The JSON history file, the HTML picture, the test-facing report, and the recorder.

use super::*;
use crate::linearizability::assert::check_and_report;
use crate::linearizability::kv::{JsonError, from_json, to_json};
use crate::linearizability::{Method, Recorder, html};
use std::path::PathBuf;
use std::time::Duration;

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lab-lin-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn files(dir: &PathBuf, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

fn stale_read() -> Vec<KvOperation> {
    vec![
        put(0, "k", "a", 1_000, 10_000),
        put(1, "k", "b", 20_000, 30_000),
        get(2, "k", "a", 40_000, 50_000),
        get(3, "a", "", 0, 5_000),
    ]
}

#[test]
fn linearizability_json_round_trips_both_models() {
    let lab4 = stale_read();
    let (model, back) = from_json(&to_json(&KvModel::new(), &lab4)).expect("parses");
    assert_eq!((model, back), (KvModel::new(), lab4));
    let lab2 = vec![
        append(0, "k", "a", "", 0, 10),
        append(1, "k", "b", "a", 20, 30),
    ];
    let json = to_json(&KvModel::append_returns_old(), &lab2);
    assert!(json.contains("\"kind\": \"append\""), "{json}");
    let (model, back) = from_json(&json).expect("parses");
    assert_eq!((model, back), (KvModel::append_returns_old(), lab2));
}

#[test]
fn linearizability_bad_json_is_an_error() {
    let one =
        |fields: &str| format!("[{{\"client_id\":0,\"key\":\"k\",\"call\":1,\"ret\":2,{fields}}}]");
    for (text, want) in [
        (one("\"kind\":\"cas\",\"value\":\"a\",\"output\":null"), "unknown kind"),
        (one("\"kind\":\"get\",\"value\":null,\"output\":null"), "needs an output"),
        (one("\"kind\":\"put\",\"value\":null,\"output\":null"), "needs a value"),
        (one("\"kind\":\"put\",\"value\":\"a\",\"output\":\"b\""), "has no output"),
        ("[{\"client_id\":0,\"kind\":\"put\",\"key\":\"k\",\"value\":\"a\",\"output\":null,\"call\":5,\"ret\":2}]".to_string(), "returns before"),
        ("{".to_string(), "not a KV history"),
        ("[{\"kind\":\"get\"}]".to_string(), "not a KV history"),
    ] {
        let err = from_json(&text).expect_err(&text);
        assert!(err.to_string().contains(want), "{err} should say {want}");
        if want != "not a KV history" {
            assert!(matches!(err, JsonError::Operation { index: 0, .. }));
        }
    }
    assert_eq!(from_json("[]"), Ok((KvModel::new(), Vec::new())));
}

#[test]
fn linearizability_illegal_history_gets_a_picture_and_a_saved_history() {
    let dir = scratch("illegal");
    let history = stale_read();
    let err = check_and_report(
        &KvModel::new(),
        &history,
        Duration::from_secs(1),
        Some(&dir),
    )
    .expect_err("stale read");
    assert_eq!(err, "history is not linearizable");
    let json = files(&dir, "json");
    assert_eq!(json.len(), 1, "the history is saved");
    let (_, back) = from_json(&std::fs::read_to_string(&json[0]).unwrap()).unwrap();
    assert_eq!(back, history);
    let pages = files(&dir, "html");
    assert_eq!(pages.len(), 1, "the picture is written");
    let page = std::fs::read_to_string(&pages[0]).unwrap();
    for fact in [
        "<svg",
        "key &quot;k&quot;: not linearizable",
        // the stuck Get, marked and focused
        "id=\"stuck\" class=\"op stuck\"",
        "Get(&quot;k&quot;) -&gt; &quot;a&quot;",
        // the longest legal prefix, numbered, with its states
        "#1 in the legal prefix; state after: &quot;a&quot;",
        "#2 in the legal prefix; state after: &quot;b&quot;",
        // what a legal order allowed there
        "only in state &quot;b&quot;",
        "client 2",
        "0.000040 s",
        "Linearizable partitions (1): key &quot;a&quot;",
    ] {
        assert!(page.contains(fact), "the page lacks {fact:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn linearizability_ok_history_is_saved_and_passes() {
    let dir = scratch("ok");
    let history = vec![put(0, "k", "a", 0, 10), get(1, "k", "a", 20, 30)];
    let verdict = check_and_report(
        &KvModel::new(),
        &history,
        Duration::from_secs(1),
        Some(&dir),
    )
    .expect("linearizable");
    assert_eq!(verdict.result, CheckResult::Ok);
    assert_eq!(files(&dir, "json").len(), 1);
    assert!(files(&dir, "html").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn linearizability_presolver_reason_stands_when_the_search_runs_out() {
    // Unique values; the Get saw "b" without the Put "a" before it, which returned first.
    let history = vec![
        put(0, "k", "a", 0, 10),
        append(1, "k", "b", "", 20, 30),
        get(2, "k", "b", 40, 50),
    ];
    let tiny = Budget {
        steps: 1,
        memory: 1 << 20,
    };
    let verdict = check(&KvModel::new(), &history, tiny).unwrap();
    let p = &verdict.partitions[0];
    assert_eq!(
        (verdict.result, p.method),
        (CheckResult::Illegal, Method::Presolved)
    );
    assert!(p.reason.is_some() && !p.culprits.is_empty(), "{p:?}");
    let page = html::render(&KvModel::new(), &history, &verdict, "t");
    assert!(page.contains("class=\"op culprit\""), "culprits are marked");
    assert!(page.contains("Why (from the values written and read)"));
}

#[test]
fn linearizability_recorder_keeps_real_order_within_an_instant() {
    let history = crate::sim::run(|| async {
        let recorder: Recorder<KvInput, KvOutput> = Recorder::new();
        // Two operations in one virtual instant, one after the other.
        let call = recorder.call();
        recorder.record(
            0,
            KvInput::Put {
                key: "k".into(),
                value: "a".into(),
            },
            call,
            KvOutput::default(),
        );
        let call = recorder.call();
        recorder.record(
            1,
            KvInput::Get { key: "k".into() },
            call,
            KvOutput::default(),
        );
        // A third, concurrent with a sleep.
        let r = recorder.clone();
        let task = tokio::spawn(async move {
            let call = r.call();
            crate::sim::sleep(Duration::from_millis(5)).await;
            r.record(
                2,
                KvInput::Get { key: "k".into() },
                call,
                KvOutput { value: "a".into() },
            );
        });
        task.await.expect("task");
        assert_eq!(recorder.len(), 3);
        recorder.history()
    });
    assert!(history[0].call < history[0].ret);
    assert!(
        history[0].ret < history[1].call,
        "sequential in one instant is not concurrent"
    );
    assert_eq!(
        history[2].ret, 5_000_000,
        "virtual nanoseconds: {history:?}"
    );
    // The Get that returned "" came after the Put returned: illegal, not excused as concurrent.
    assert_eq!(result(&KvModel::new(), &history), CheckResult::Illegal);
}
