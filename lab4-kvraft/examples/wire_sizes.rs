//! How many bytes this workspace's encoding (postcard, through `common::codec`) spends on
//! the messages and persisted states whose gob sizes `scripts/wire-sizes/gob_sizes.go`
//! prints, one row each, the same values in both. The course's byte limits (RPC bytes,
//! `MAXLOGSIZE`, snapshot sizes) were set for gob; the guides compare the two columns.
//!
//! Run: `cargo run -p lab4-kvraft --example wire_sizes`

use common::codec;
use common::sim::{self, RngExt};
use lab2_kvsrv::kv_state::Write;
use lab2_kvsrv::rpc::{GetArgs, PutAppendArgs};
use lab3_raft::core::log::{Entry, Log, LogId};
use lab3_raft::core::messages::{
    AppendEntriesArgs, AppendEntriesReply, InstallSnapshotArgs, RequestVoteArgs, RequestVoteReply,
};
use lab3_raft::core::{Config, Core, Durable};
use lab3_raft::persist::Saver;
use lab4_kvraft::machine::{KvCommand, KvMachine};
use lab4_kvraft::rsm::StateMachine;
use serde::Serialize;

fn size<T: Serialize>(value: &T) -> usize {
    codec::encode(value).map_or(0, |b| b.len())
}

/// A command as the Raft tests make them: a number, as 8 bytes.
fn cmd(n: u64) -> Vec<u8> {
    n.to_le_bytes().to_vec()
}

fn entries(n: usize, mut command: impl FnMut() -> Vec<u8>) -> Vec<Entry> {
    (0..n)
        .map(|_| Entry {
            term: 3,
            command: command().into(),
        })
        .collect()
}

fn append_entries(entries: Vec<Entry>) -> AppendEntriesArgs {
    AppendEntriesArgs {
        term: 3,
        leader_id: 1,
        prev_log_index: 120,
        prev_log_term: 3,
        entries,
        leader_commit: 120,
    }
}

/// The durable state as `lab3_raft::persist` saves it: term, vote, log.
fn raft_state(n: usize) -> usize {
    let mut log = Log::new();
    log.install_snapshot(LogId::new(110, 3));
    for entry in entries(n, || cmd(sim::rng(|r| r.random()))) {
        log.append(entry);
    }
    let durable = Durable {
        current_term: 3,
        voted_for: Some(1),
        log,
    };
    let core = Core::restore(1, 3, Config::default(), 0, durable, Vec::new());
    Saver::new().encode(&core).len()
}

/// The 3D tester's snapshot: the index, then the commands through it.
fn tester_snapshot(index: u64) -> usize {
    let commands: Vec<Vec<u8>> = (1..=index).map(|_| cmd(sim::rng(|r| r.random()))).collect();
    size(&(index, commands))
}

/// The KV replica's snapshot (`Rsm`'s layout: last applied index, then the machine)
/// after `writes` of (key, value) by `clients` clerks.
fn kv_snapshot(keys: &[(String, String)], clients: u64, last_applied: u64) -> usize {
    let mut machine = KvMachine::new();
    for c in 0..clients {
        for (i, (key, value)) in keys.iter().enumerate() {
            let args = PutAppendArgs {
                key: key.clone(),
                value: value.clone(),
                client_id: 1_000_000_007 * (c + 1),
                seq: i as u64 + 1,
            };
            let _ = machine.apply(KvCommand::write(Write::Put, args));
        }
    }
    size(&(last_applied, &machine))
}

fn random_string(n: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| char::from(CHARS[sim::rng(|r| r.random_range(0..CHARS.len()))]))
        .collect()
}

fn main() {
    // Inside a world only for its seeded RNG (the sizes do not depend on the values drawn).
    sim::Builder::new().seed(1).run(|| async { print_sizes() });
}

fn print_sizes() {
    let big: Vec<u64> = (0..10).map(|_| sim::rng(|r| r.random())).collect();
    let vote = RequestVoteArgs {
        term: 3,
        candidate_id: 1,
        last_log_index: 120,
        last_log_term: 3,
    };
    let reply = AppendEntriesReply {
        term: 3,
        success: true,
        x_term: None,
        x_index: 0,
        x_len: 0,
    };
    let five_thousand = random_string(5000).into_bytes();
    let thirty: Vec<(String, String)> = (0..30)
        .map(|i| (i.to_string(), random_string(1000)))
        .collect();
    let one = [("x".to_string(), "1".to_string())];
    let rows: Vec<(&str, usize)> = vec![
        ("RequestVote args", size(&vote)),
        (
            "RequestVote reply",
            size(&RequestVoteReply {
                term: 3,
                vote_granted: true,
            }),
        ),
        (
            "AppendEntries heartbeat args",
            size(&append_entries(vec![])),
        ),
        ("AppendEntries reply", size(&reply)),
        (
            "AppendEntries args, 1 entry (random int)",
            size(&append_entries(entries(1, || cmd(big[0])))),
        ),
        (
            "AppendEntries args, 10 entries (random ints)",
            size(&append_entries(
                big.iter()
                    .map(|&n| Entry {
                        term: 3,
                        command: cmd(n).into(),
                    })
                    .collect(),
            )),
        ),
        (
            "AppendEntries args, 10 entries (small ints)",
            size(&append_entries(entries(10, || cmd(500)))),
        ),
        (
            "AppendEntries args, 1 entry (5000-byte string)",
            size(&append_entries(entries(1, || five_thousand.clone()))),
        ),
        (
            "InstallSnapshot args, 100-byte snapshot",
            size(&InstallSnapshotArgs {
                term: 3,
                leader_id: 1,
                last_included_index: 120,
                last_included_term: 3,
                data: vec![0; 100],
            }),
        ),
        (
            "persisted Raft state, 10 entries (random ints)",
            raft_state(10),
        ),
        (
            "persisted Raft state, 100 entries (random ints)",
            raft_state(100),
        ),
        ("3D tester snapshot through index 9", tester_snapshot(9)),
        ("3D tester snapshot through index 99", tester_snapshot(99)),
        (
            "KV Get args (key of 1 byte)",
            size(&GetArgs {
                key: "x".to_string(),
            }),
        ),
        (
            "KV Get reply (value of 10 bytes)",
            size(&Ok::<String, ()>("0123456789".to_string())),
        ),
        (
            "KV PutAppend args (1-byte key, 10-byte value)",
            size(&PutAppendArgs {
                key: "x".to_string(),
                value: "0123456789".to_string(),
                client_id: sim::rng(|r| r.random()),
                seq: 17,
            }),
        ),
        ("KV PutAppend reply", size(&Ok::<(), ()>(()))),
        ("KV snapshot: 1 key, 1 client", kv_snapshot(&one, 1, 800)),
        (
            "KV snapshot: 30 keys of 1000 bytes, 3 clients",
            kv_snapshot(&thirty, 3, 200),
        ),
    ];
    for (name, bytes) in rows {
        println!("{name:<50} {bytes:>6}");
    }
}
