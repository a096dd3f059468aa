#!/usr/bin/env bash
# The performance figures of the Raft and KV suites, per seed: wall time and RPC count.
# `scripts/bench.sh --help` for usage. Benchmarks, not tests: nothing fails for being slow.
#
# The bench is a small Rust program beside the stress runner (scripts/stress).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -q -p lab-stress
exec "${CARGO_TARGET_DIR:-$root/target}/debug/lab-bench" "$@"
