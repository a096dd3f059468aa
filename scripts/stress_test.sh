#!/usr/bin/env bash
# Runs a package's tests many times under distinct seeds, in parallel, and reports the
# failures with their seeds and replay commands. `scripts/stress_test.sh --help` for usage.
#
# The runner is a small Rust program (scripts/stress); this builds it once and runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -q -p lab-stress
exec "${CARGO_TARGET_DIR:-$root/target}/debug/lab-stress" "$@"
