#!/usr/bin/env bash
# The README's demo: MapReduce word count with real coordinator and worker processes,
# one of them killed and one frozen midway (Lab 1); the simulated network under a nemesis
# (common); a 5-server key/value cluster on Raft with crashes, partitions and a
# linearizability check (Lab 4); a sharded service whose groups join, leave and crash
# under load (Lab 5); the 2026 Lab 5, a controller cut off mid-change and its successor
# finishing the change; and, last, a real 3-server cluster of processes over TCP with its
# state on disk, its leader killed with SIGKILL and restarted. Pass LAB_SEED=<n> to
# replay the simulated runs exactly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== 1. Lab 1: MapReduce word count, coordinator and worker processes on a Unix socket"
cargo build --quiet -p lab1-mapreduce --bins
cargo run --quiet -p lab1-mapreduce --bin mrdemo
echo
echo "== 2. The simulated network: a busy, faulty labrpc world"
cargo run --quiet -p common --example network_demo
echo
echo "== 3. Lab 4: a replicated key/value service through crashes and partitions"
cargo run --quiet -p lab4-kvraft --example kvraft_demo
echo
echo "== 4. Lab 5: a sharded key/value service, shards moving as groups join, leave and crash"
cargo run --quiet -p lab5-shardkv --example shardkv_demo
echo
echo "== 5. Lab 5, 2026 edition: a controller moves shards, is cut off mid-change, and another finishes it"
cargo run --quiet -p lab5-shardkv-2026 --example shardkv1_demo
echo
echo "== 6. For real: 3 kvraft-server processes on loopback, state on disk; the leader killed and restarted"
# A folder and ports of its own, removed at the end whatever happens.
cluster=(scripts/cluster.sh --dir target/demo-cluster --port 17101)
trap '"${cluster[@]}" destroy >/dev/null 2>&1 || true' EXIT
"${cluster[@]}" destroy >/dev/null 2>&1 || true
"${cluster[@]}" start 3
"${cluster[@]}" kv put course 6.5840
"${cluster[@]}" kv append course " labs"
leader=$("${cluster[@]}" status | awk '$3 == "leader" { print $1 }')
echo "leader: server $leader"
"${cluster[@]}" kill "$leader"
"${cluster[@]}" kv put after-kill "written without server $leader"
"${cluster[@]}" status
"${cluster[@]}" restart "$leader"
echo "read back: course = $("${cluster[@]}" kv get course); after-kill = $("${cluster[@]}" kv get after-kill)"
"${cluster[@]}" status
"${cluster[@]}" destroy
