#!/usr/bin/env bash
# Runs one test under rust-gdb with a seed, stopped where it panics.
#
#   scripts/debug_test.sh [--dry-run] PACKAGE TEST [SEED]
#
# Builds the package's tests, finds the binary holding TEST (exact name), and starts
# rust-gdb on it with LAB_SEED=SEED and a breakpoint on `rust_panic`: `run`, then `bt` at
# the failed assertion, `frame N`, `print ...`. Virtual time stands still while the
# program is stopped, so no election fires and no test limit runs out behind your back.
# --dry-run prints the command instead of running it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dry=""
if [[ "${1:-}" == "--dry-run" ]]; then dry=1; shift; fi
if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: scripts/debug_test.sh [--dry-run] PACKAGE TEST [SEED]" >&2
    exit 2
fi
package="$1" test="$2" seed="${3:-1}"
if [[ ! "$seed" =~ ^[0-9]+$ ]]; then
    echo "debug_test: SEED must be a number, not '$seed'" >&2
    exit 2
fi
# The listing fails for a package that does not exist or does not build: say so, with
# cargo's own words, rather than exit without a word.
if ! listing="$(scripts/stress_test.sh --list 1 "$package" "$test" 2>&1)"; then
    echo "debug_test: cannot list the tests of '$package':" >&2
    grep -E "error|stress" <<<"$listing" | head -5 >&2 || true
    exit 1
fi
exe="$(awk -v t="$test" '$(NF-1) == t { print $NF }' <<<"$listing")"
if [[ -z "$exe" ]]; then
    echo "debug_test: no test named exactly '$test' in $package (scripts/stress_test.sh --list 1 $package lists them)" >&2
    exit 1
fi
cmd=(rust-gdb -ex "break rust_panic" --args "$exe" --exact "$test" --nocapture --test-threads=1)
if [[ -n "$dry" ]]; then
    printf "LAB_SEED=%q" "$seed"; printf " %q" "${cmd[@]}"; echo
    exit 0
fi
LAB_SEED="$seed" exec "${cmd[@]}"
