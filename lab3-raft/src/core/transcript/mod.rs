//! Narrated transcript tests of the pure core (etcd's data-driven interaction tests): a
//! script of commands drives a [`network::Network`] of cores by hand, and the messages and
//! state changes each command causes are written under it. The whole text is checked
//! against the file in `testdata/`; a change shows up as a diff to review. After a change
//! that is meant, rewrite the files with `RAFT_TRANSCRIPT_REWRITE=1 cargo test -p
//! lab3-raft transcript` and read the diff before committing it.
//!
//! # Format
//! A line `> command` is a command; the lines after it, up to the next blank line, comment
//! (`#`) or command, are what it printed. Commands (peers are `s1`..`sN`, or `all`):
//!
//! - `cluster N [pre-vote=off] [seed=S]`: a new cluster of N peers (timeouts of 10 to 20
//!   ticks, heartbeats every 3);
//! - `tick PEERS [N]`: N ticks (default 1) of each peer;
//! - `campaign P`: ticks P until its election timer runs out and it campaigns;
//! - `propose P COMMAND`: the service's `Start` on P;
//! - `snapshot P INDEX`: P's service snapshots through INDEX;
//! - `deliver [FROM->TO] [KIND] [N|all]`: delivers the oldest N matching messages (default
//!   1); `stabilize` delivers until none is left; `drop [FROM->TO] [KIND]` loses them;
//!   `pending` lists them;
//! - `partition s1,s2 | s3,s4,s5` cuts every link between the groups; `heal` restores
//!   them; `crash P` stops P, `restart P` starts it from what it saved;
//! - `status [PEERS]`: each peer's term, role, vote, commit index and log.
//!
//! Every step is narrated: `  s2: term 1->2, follower->candidate, vote s2` for its state
//! changes, `  s2 saves` when it must persist (before anything it sends, checklist G14),
//! `  s2 applies ...`, `  send s2->s1 ...` for each message; a delivered message is the
//! unindented line `s2->s1 ...` above what it caused.

mod network;

use crate::core::Config;
use network::{Filter, Network};
use std::fmt::Write;

/// Runs a script, returning its text with every command's output written under it.
fn run(script: &str) -> String {
    let mut net: Option<Network> = None;
    let mut text = String::new();
    let mut in_output = false;
    for line in script.lines() {
        if let Some(command) = line.strip_prefix("> ") {
            let _ = writeln!(text, "{line}");
            let output = execute(&mut net, command)
                .unwrap_or_else(|e| panic!("command {command:?}: {e}\n{text}"));
            text.push_str(&output);
            in_output = true;
        } else if line.trim().is_empty() || line.starts_with('#') {
            let _ = writeln!(text, "{line}");
            in_output = false;
        } else if !in_output {
            panic!("a line that is neither a command, a comment nor output: {line:?}");
        }
    }
    text
}

/// One command; its narration, or why it could not run.
fn execute(net: &mut Option<Network>, command: &str) -> Result<String, String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let (&verb, args) = words.split_first().ok_or("empty command")?;
    if verb == "cluster" {
        let peers: usize = number(args.first().copied())?;
        let mut config = Config {
            election_timeout_min: 10,
            election_timeout_max: 20,
            heartbeat_interval: 3,
            ..Config::default()
        };
        let mut seed = 1;
        for option in &args[1..] {
            match option.split_once('=') {
                Some(("pre-vote", "off")) => config.pre_vote = false,
                Some(("seed", s)) => seed = number(Some(s))?,
                _ => return Err(format!("unknown option {option}")),
            }
        }
        *net = Some(Network::new(peers, config, seed));
        return Ok(format!("{peers} peers\n"));
    }
    let net = net.as_mut().ok_or("no cluster yet")?;
    net.out.clear();
    match verb {
        "tick" => {
            let peers = peer_list(net, args.first().copied())?;
            let n: usize = args.get(1).map_or(Ok(1), |s| number(Some(s)))?;
            for peer in peers {
                for _ in 0..n {
                    let _ = net.step(peer, crate::core::Input::Tick);
                }
            }
        }
        "campaign" => {
            let peer = peer(net, args.first().copied())?;
            let mut ticks = 0;
            loop {
                let core = net.core(peer).ok_or("crashed")?;
                let role = core.role();
                if role == crate::core::Role::Leader {
                    return Err("a leader does not campaign".into());
                }
                ticks += 1;
                let mark = net.out.len();
                let out = net.step(peer, crate::core::Input::Tick).ok_or("crashed")?;
                if !out.messages.is_empty() || net.core(peer).map(|c| c.role()) != Some(role) {
                    let heading = format!("s{} times out after {ticks} ticks\n", peer + 1);
                    net.out.insert_str(mark, &heading);
                    break;
                }
                if ticks > 1000 {
                    return Err("no timeout in 1000 ticks".into());
                }
            }
        }
        "propose" => {
            let peer = peer(net, args.first().copied())?;
            let command = args.get(1).ok_or("propose P COMMAND")?;
            let out = net
                .step(
                    peer,
                    crate::core::Input::Propose(command.as_bytes().to_vec()),
                )
                .ok_or("crashed")?;
            let _ = match out.proposed {
                Some(id) => writeln!(net.out, "  proposed at {id}"),
                None => writeln!(net.out, "  refused: not the leader"),
            };
        }
        "snapshot" => {
            let peer = peer(net, args.first().copied())?;
            let index: u64 = number(args.get(1).copied())?;
            let data = format!("state@{index}").into_bytes();
            let _ = net.step(peer, crate::core::Input::Snapshot { index, data });
        }
        "deliver" | "drop" => {
            let (filter, count) = filter(net, args)?;
            if verb == "drop" {
                let n = net.drop_matching(&filter);
                let _ = writeln!(net.out, "dropped {n}");
            } else {
                for _ in 0..count.unwrap_or(1) {
                    if !net.deliver(&filter) {
                        break;
                    }
                }
            }
        }
        "stabilize" => {
            let mut delivered = 0;
            while net.in_flight() > 0 {
                let _ = net.deliver(&Filter::default());
                delivered += 1;
                if delivered > 10_000 {
                    return Err("still not quiet after 10000 messages".into());
                }
            }
        }
        "pending" => {
            for line in net.pending() {
                let _ = writeln!(net.out, "{line}");
            }
        }
        "partition" => {
            let groups = command["partition".len()..]
                .split('|')
                .map(|g| {
                    g.split(',')
                        .map(|p| peer(net, Some(p.trim())))
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?;
            net.partition(&groups);
        }
        "heal" => net.heal(),
        "crash" => {
            let p = peer(net, args.first().copied())?;
            net.crash(p);
        }
        "restart" => {
            let p = peer(net, args.first().copied())?;
            net.restart(p);
            let status = status_line(net, p);
            let _ = writeln!(net.out, "{status}");
        }
        "status" => {
            for p in peer_list(net, args.first().copied().or(Some("all")))? {
                let status = status_line(net, p);
                let _ = writeln!(net.out, "{status}");
            }
        }
        other => return Err(format!("unknown command {other}")),
    }
    if net.out.is_empty() {
        net.out.push_str("ok\n");
    }
    Ok(std::mem::take(&mut net.out))
}

/// `s2: follower t3 vote=s1 leader=s1 commit=4 log=[t1 t1 t3 t3]` (after a snapshot:
/// `log=5@t2|[t3]`).
fn status_line(net: &Network, peer: usize) -> String {
    let Some(core) = net.core(peer) else {
        return format!("s{}: crashed", peer + 1);
    };
    let name = |p: Option<usize>| p.map_or("-".to_string(), |p| format!("s{}", p + 1));
    let log = core.log();
    let terms: Vec<String> = log
        .entries()
        .iter()
        .map(|e| format!("t{}", e.term))
        .collect();
    let snapshot = if log.last_included_index() > 0 {
        format!("{}|", log.last_included())
    } else {
        String::new()
    };
    format!(
        "s{}: {} t{} vote={} leader={} commit={} log={snapshot}[{}]",
        peer + 1,
        core.role(),
        core.current_term(),
        name(core.voted_for()),
        name(core.leader_id()),
        core.commit_index(),
        terms.join(" ")
    )
}

fn number<T: std::str::FromStr>(word: Option<&str>) -> Result<T, String> {
    let word = word.ok_or("a number is missing")?;
    word.parse()
        .map_err(|_| format!("{word:?} is not a number"))
}

fn peer(net: &Network, word: Option<&str>) -> Result<usize, String> {
    let word = word.ok_or("a peer is missing")?;
    let n: usize = word
        .strip_prefix('s')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("{word:?} is not a peer (s1, s2, ...)"))?;
    if n == 0 || n > net.peers() {
        return Err(format!("no peer {word} in a cluster of {}", net.peers()));
    }
    Ok(n - 1)
}

fn peer_list(net: &Network, word: Option<&str>) -> Result<Vec<usize>, String> {
    match word.ok_or("peers are missing")? {
        "all" => Ok((0..net.peers()).collect()),
        list => list.split(',').map(|p| peer(net, Some(p))).collect(),
    }
}

/// `[FROM->TO] [KIND] [N|all]`, each part optional, `*` for any peer.
fn filter(net: &Network, args: &[&str]) -> Result<(Filter, Option<usize>), String> {
    let mut filter = Filter::default();
    let mut count = None;
    for arg in args {
        if let Some((from, to)) = arg.split_once("->") {
            let end = |w: &str| (w != "*").then(|| peer(net, Some(w))).transpose();
            filter.from = end(from)?;
            filter.to = end(to)?;
        } else if *arg == "all" {
            count = Some(usize::MAX);
        } else if let Ok(n) = arg.parse() {
            count = Some(n);
        } else {
            filter.kind = Some(arg.to_string());
        }
    }
    Ok((filter, count))
}

/// Runs `testdata/<name>.txt` and compares, or rewrites it under the flag.
fn check(name: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/core/transcript/testdata")
        .join(format!("{name}.txt"));
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let actual = run(&expected);
    if actual == expected {
        return;
    }
    if std::env::var_os("RAFT_TRANSCRIPT_REWRITE").is_some() {
        std::fs::write(&path, &actual)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
    let first = a
        .iter()
        .zip(&e)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(e.len()));
    panic!(
        "{} differs from its transcript at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
         (RAFT_TRANSCRIPT_REWRITE=1 rewrites it; review the diff)\n\nthe whole run:\n{actual}",
        path.display(),
        first + 1,
        e.get(first).copied().unwrap_or("<end>"),
        a.get(first).copied().unwrap_or("<end>")
    );
}

/// Figure 8 step by step: why a leader counts replicas only for entries of its own term.
#[test]
fn figure_8() {
    check("figure_8");
}

/// A leader cut off in a minority keeps believing it leads, commits nothing, and steps
/// down when the partition heals; its uncommitted entries are replaced.
#[test]
fn leader_stranded_in_a_minority() {
    check("stranded_leader");
}

/// A follower's conflicting tail repaired with the course's fast backup: a term per round
/// trip, not an entry.
#[test]
fn log_repair_with_fast_backup() {
    check("fast_backup");
}

/// An InstallSnapshot racing the AppendEntries sent after it: a late copy of the snapshot
/// does not take the follower back.
#[test]
fn install_snapshot_racing_append_entries() {
    check("snapshot_race");
}

/// Pre-vote keeps a peer that was cut off from raising its term, so its return does not
/// depose the leader; without pre-vote, it does.
#[test]
fn pre_vote_stops_a_disruptive_rejoin() {
    check("pre_vote_rejoin");
}
