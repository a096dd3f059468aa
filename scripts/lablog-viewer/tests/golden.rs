//! Golden outputs of the viewer on two small captured logs (a Raft election, and a
//! shard moving between groups), with and without filters and colour. The logs include
//! a line that is not JSON, an unknown nested field and a truncated last line.
//!
//! `UPDATE_GOLDEN=1 cargo test -p lablog` rewrites the expected files after a deliberate
//! change of layout; review the diff.

use lablog::filter::{Filter, parse_range};
use lablog::parse::{Level, Line, parse};
use lablog::{Options, render};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn check(log: &str, golden: &str, width: usize, color: bool, filter: Filter) {
    let input = std::fs::read_to_string(data(log)).expect("sample log");
    let out = render(
        &parse(&input),
        &Options {
            width,
            color,
            filter,
        },
    );
    let path = data(golden);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &out).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 makes it)");
    assert!(
        out == want,
        "{golden} differs; got:\n{out}\n(UPDATE_GOLDEN=1 rewrites it)"
    );
    for line in out.lines() {
        if !color && !line.starts_with('{') && !line.contains("not JSON") {
            assert!(
                line.chars().count() <= width.max(31),
                "{golden}: line wider than {width}: {line:?}"
            );
        }
    }
}

#[test]
fn raft_in_columns_at_80() {
    check("raft.jsonl", "raft-80.txt", 80, false, Filter::default());
}

#[test]
fn raft_in_wide_columns() {
    check("raft.jsonl", "raft-140.txt", 140, false, Filter::default());
}

#[test]
fn raft_with_colours() {
    check("raft.jsonl", "raft-color.txt", 100, true, Filter::default());
}

#[test]
fn raft_filtered_by_term_and_level() {
    let filter = Filter {
        terms: parse_range("1"),
        level: Some(Level::Debug),
        ..Filter::default()
    };
    check("raft.jsonl", "raft-term1.txt", 100, false, filter);
}

#[test]
fn raft_filtered_by_peer_and_time() {
    let filter = Filter {
        peers: vec!["1".into()],
        from: Some(0.4),
        to: Some(3.0),
        ..Filter::default()
    };
    check("raft.jsonl", "raft-peer1.txt", 80, false, filter);
}

#[test]
fn shardkv_in_lanes_at_80() {
    check(
        "shardkv.jsonl",
        "shardkv-80.txt",
        80,
        false,
        Filter::default(),
    );
}

#[test]
fn shardkv_one_group_in_columns() {
    let filter = Filter {
        peers: vec!["101:0".into(), "101:1".into(), "101:2".into()],
        topics: vec!["machine".into(), "migration".into()],
        ..Filter::default()
    };
    check("shardkv.jsonl", "shardkv-101.txt", 120, false, filter);
}

#[test]
fn bad_lines_are_kept_raw_and_a_truncated_last_line_is_no_error() {
    let input = std::fs::read_to_string(data("raft.jsonl")).expect("sample log");
    let lines = parse(&input);
    let raw: Vec<&str> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Raw(s) => Some(s.as_str()),
            Line::Event(_) => None,
        })
        .collect();
    assert!(
        raw.contains(&"a line that is not JSON, shown as it is"),
        "{raw:?}"
    );
    assert!(
        raw.contains(&"Test (3A): initial election ..."),
        "test output"
    );
    let last = raw.last().expect("raw lines");
    assert!(last.ends_with("lab3_raft::co"), "the cut-off line: {last}");
    let odd = lines.iter().find_map(|l| match l {
        Line::Event(e) if e.msg == "odd" => Some(e),
        _ => None,
    });
    let odd = odd.expect("the event with an unknown nested field parses");
    assert_eq!(odd.peer, Some(2));
    assert_eq!(odd.level, Level::Warn);
}

#[test]
fn the_command_rejects_bad_arguments_with_a_message() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lablog"))
        .args(["--term", "x..y"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid value 'x..y' for '--term"), "{err}");
    // A file that cannot be read is a failed run (1), not bad usage (2).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lablog"))
        .arg("/no/such/file")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file"));
    // A file name that is not UTF-8 is still a file name (before clap: a panic).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lablog"))
        .arg(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"/no/\xff"))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot read /no/"), "{err}");
}
