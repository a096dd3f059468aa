#!/usr/bin/env bash
# Grades a lab or sub-lab as the course does: its course tests many times each, a
# scorecard, a verdict. `scripts/grade.sh --help` for usage.
#
# The grader is a small Rust program beside the stress runner (scripts/stress); this
# builds both once and runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -q -p lab-stress
exec "${CARGO_TARGET_DIR:-$root/target}/debug/lab-grade" "$@"
