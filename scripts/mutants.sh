#!/usr/bin/env bash
# The mutant suite: each classic mistake of <lab>/mutants.txt applied to a copy of the
# workspace, the lab's black-box tests run against it, and a table of what killed it.
# `scripts/mutants.sh --help` for usage.
#
# The suite is a small Rust program beside the stress runner (scripts/stress); it copies
# the workspace with the student-workspace tool, so this builds both once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -q -p lab-stress -p lab-student
exec "${CARGO_TARGET_DIR:-$root/target}/debug/lab-mutants" "$@"
