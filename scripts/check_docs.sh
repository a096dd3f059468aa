#!/usr/bin/env bash
# Runs every shell block of the READMEs (in a quick mode for the slow commands) and checks
# every quoted unit test against its source, so the guides cannot rot. CI runs it.
# `scripts/check_docs.sh lab3` checks only the files whose path contains "lab3".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -q -p docs-check
exec "${CARGO_TARGET_DIR:-$root/target}/debug/docs-check" "$@"
