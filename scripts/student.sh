#!/usr/bin/env bash
# Writes a student workspace: the harness and every test, with the labs from --from on
# replaced by skeletons. `scripts/student.sh --help` for usage.
#
# The tool is a small Rust program (scripts/student); this builds it once and runs it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && cargo build -q -p lab-student)
exec "${CARGO_TARGET_DIR:-$root/target}/debug/lab-student" --source "$root" "$@"
