#!/usr/bin/env bash
# The README's demo: MapReduce word count with real coordinator and worker processes,
# one of them killed and one frozen midway (Lab 1); the simulated network under a nemesis
# (common); a 5-server key/value cluster on Raft with crashes, partitions and a
# linearizability check (Lab 4); a sharded service whose groups join, leave and crash
# under load (Lab 5); the 2026 Lab 5, a controller cut off mid-change and its successor
# finishing the change. Pass LAB_SEED=<n> to replay the simulated runs exactly.
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
