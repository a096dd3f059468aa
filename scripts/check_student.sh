#!/usr/bin/env bash
# CI's check of the student workspace (scripts/student.sh) and the skeletons:
#   - --from 6 (nothing stripped) is this workspace, file for file, but for the files the
#     student workspace never has and the four it writes itself (README.md, .ci/run, and
#     Cargo.toml and Cargo.lock without the tools it does not have: the builds below run
#     with --locked, so a lock file that cargo would change fails them);
#   - for LAB = 5, 4, 3, 2, 1, in one directory, one after the other: the workspace builds
#     with its tests (and, the last one, which holds every skeleton, is clippy-clean);
#     every course test of LAB fails, in bounded
#     time, with its todo!("Lab ...") message; copying the reference files of LAB back
#     over the skeleton makes LAB's tests pass again (the transplant);
#   - the 2026 edition (--edition 2026): with every lab stripped it builds, its three new
#     skeletons are clippy-clean, and every 2026 course test fails at its todo!; with the
#     references of Labs 2, 4 and 5 copied back, their tests pass;
#   - the last one is a git repository with one commit.
# Every step writes the same directory and builds in one target directory of its own, so
# dependencies build once and each step rebuilds only the labs that changed. It must not
# be this workspace's: cargo names a workspace member's artifacts by its path relative to
# its workspace, so the student's lab3-raft and ours would overwrite each other's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ours="${CARGO_TARGET_DIR:-$root/target}"
check="$ours/student-check"
dir="$check/workspace"
out="$check/runs"
mkdir -p "$dir" "$out"
cargo build -q -p lab-student -p lab-stress
tools="$check/tools"
rm -rf "$tools" && mkdir -p "$tools"
cp "$ours/debug/lab-student" "$ours/debug/lab-stress" "$ours/debug/lab-grade" "$tools/"
# A first run starts from a copy of this workspace's debug builds (mtimes kept, so cargo
# trusts them): the dependencies are the same crates with the same features, and the
# members are named by their paths in the workspace, which are the same; with the mtimes
# set below, only the stripped labs build again.
copied=0
if [[ ! -d "$check/target/debug" && -d "$ours/debug" ]]; then
    mkdir -p "$check/target"
    (cd "$ours" && tar cf - --exclude=debug/incremental debug) | (cd "$check/target" && tar xf -)
    copied=1
fi
export CARGO_TARGET_DIR="$check/target"
export CARGO_TERM_COLOR=never
student() { "$tools/lab-student" --source "$root" "$dir" --force "$@"; }
lab_of() { case "$1" in 1) echo lab1-mapreduce;; 2) echo lab2-kvsrv;; 3) echo lab3-raft;; 4) echo lab4-kvraft;; 5) echo lab5-shardkv;; esac; }

echo "== --from 6 is this workspace"
student --from 6 --no-git
never='^(scripts/student/|scripts/(student|check_student|check_docs|demo|mutants)\.sh$|scripts/docs-check/|scripts/fuzz/|lab[1-5]-[a-z]+/(student/|mutants\.txt$|y2026/))'
written='^(README\.md|\.ci/run|Cargo\.toml|Cargo\.lock)$'
missing=0
while IFS= read -r -d '' f; do
    [[ -f "$f" ]] || continue
    if [[ "$f" =~ $never ]]; then
        [[ ! -e "$dir/$f" ]] || { echo "  $f: copied, but the student workspace never has it"; missing=1; }
    elif [[ "$f" =~ $written ]]; then
        [[ -e "$dir/$f" ]] || { echo "  $f: not written"; missing=1; }
    elif ! cmp -s "$f" "$dir/$f"; then
        echo "  $f: differs or is missing"; missing=1
    fi
done < <(git ls-files -z --cached --others --exclude-standard)
diff <(grep -v -e '"scripts/student",' -e '"scripts/docs-check",' -e '/y2026",' Cargo.toml) "$dir/Cargo.toml" \
    || { echo "  Cargo.toml: more changed than the dropped members"; missing=1; }
ours=$(git ls-files --cached --others --exclude-standard | LC_ALL=C sort)
extra=$(cd "$dir" && find . \( -path ./target -o -path ./.git \) -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort \
    | LC_ALL=C comm -23 - <(echo "$ours"))
[[ -z "$extra" ]] || { echo "  files this workspace does not have: $extra"; missing=1; }
[[ $missing == 0 ]] || exit 1
echo "  same files"
# On a copied target, a file that is ours byte for byte takes our file's modification
# time: cargo judges freshness by mtime, and ours was built from these very bytes, so
# only the labs stripped below build again (a new mtime would rebuild every member: 3
# minutes on a clean clone). Only here, once: a file changed after the copy keeps the
# new mtime its writer gave it.
if [[ $copied == 1 ]]; then
    while IFS= read -r -d '' f; do
        if [[ -f "$dir/$f" ]] && cmp -s "$f" "$dir/$f"; then touch -r "$f" "$dir/$f"; fi
    done < <(git ls-files -z --cached --others --exclude-standard)
fi

for lab in 5 4 3 2 1; do
    pkg=$(lab_of $lab)
    student --from $lab --no-git >/dev/null
    start=$(date +%s)
    if [[ $lab == 1 ]]; then
        # Every skeleton is in this last workspace, as it is in each earlier one (the same
        # files), so clippy runs once, here.
        echo "== --from $lab: builds, clippy-clean"
        (cd "$dir" && cargo build -q --locked --workspace --tests \
            && cargo clippy -q --locked --workspace --all-targets -- -D warnings)
        echo "  built and clippy-clean in $(( $(date +%s) - start )) s"
    else
        echo "== --from $lab: builds"
        (cd "$dir" && cargo build -q --locked --workspace --tests)
        echo "  built in $(( $(date +%s) - start )) s"
    fi

    echo "== --from $lab: every course test of Lab $lab fails at its todo!"
    start=$(date +%s)
    (cd "$dir" && "$tools/lab-grade" "$lab" --runs 1 -o "$out/todo-$lab" --expect-todo 60) \
        > "$out/todo-$lab.log" 2>&1 || { cat "$out/todo-$lab.log"; exit 1; }
    # -m2, not `| head -2`: under pipefail, head closing the pipe while grep still
    # writes (Lab 3's lines pass grep's 4 KiB buffer) fails the script.
    grep -m2 -E ' s  ok  ' "$out/todo-$lab.log"
    echo "  $(grep -cE ' s  ok  ' "$out/todo-$lab.log") course tests failed as they should, in $(( $(date +%s) - start )) s"

    echo "== --from $lab: the reference files of Lab $lab copied back pass its tests"
    cp -r "$pkg/src/." "$dir/$pkg/src/"
    start=$(date +%s)
    (cd "$dir" && cargo test -q -p "$pkg" > "$out/transplant-$lab.log" 2>&1) \
        || { tail -50 "$out/transplant-$lab.log"; exit 1; }
    echo "  passed in $(( $(date +%s) - start )) s"
done

# The 2026 edition, in the same directory and target: Labs 1 and 3 are the skeletons just
# built, so only the 2026 crates build; and they are clippy-clean already, so clippy
# looks at the three 2026 skeletons. One workspace with every 2026 lab stripped; then the
# references of Labs 2, 4 and 5 copied back, on Lab 3's. (The 2026 crates of Labs 1 and 3
# are not skeletons: with the references back they are this workspace's own files, which
# its test command runs.) The reference's 2026 Lab 4 builds on the 2024 Lab 4's rsm,
# which builds on the 2024 Lab 2: those crates come back too, and the lock file changes,
# so no --locked there.
echo "== --edition 2026 --from 1: builds, the skeletons clippy-clean"
student --edition 2026 --from 1 --no-git >/dev/null
start=$(date +%s)
(cd "$dir" && cargo build -q --locked --workspace --tests \
    && cargo clippy -q --locked -p lab2-kvsrv-2026 -p lab4-kvraft-2026 -p lab5-shardkv-2026 \
        --all-targets -- -D warnings)
echo "  built and clippy-clean in $(( $(date +%s) - start )) s"
for lab in 1 2 3 4 5; do
    echo "== --edition 2026 --from 1: every 2026 course test of Lab $lab fails at its todo!"
    start=$(date +%s)
    (cd "$dir" && "$tools/lab-grade" "$lab" --edition 2026 --runs 1 -o "$out/todo-2026-$lab" --expect-todo 60) \
        > "$out/todo-2026-$lab.log" 2>&1 || { cat "$out/todo-2026-$lab.log"; exit 1; }
    grep -m1 -E ' s  ok  ' "$out/todo-2026-$lab.log"
    echo "  $(grep -cE ' s  ok  ' "$out/todo-2026-$lab.log") course tests failed as they should, in $(( $(date +%s) - start )) s"
done
echo "== --edition 2026: the reference files of Labs 2, 4 and 5 copied back (on Lab 3's) pass their tests"
cp -r lab3-raft/src/. "$dir/lab3-raft/src/"
cp -r lab2-kvsrv/. "$dir/lab2-kvsrv/"
cp -r lab4-kvraft/. "$dir/lab4-kvraft/"
rm -r "$dir/lab5-shardkv/y2026/src"
cp -r lab5-shardkv/y2026/. "$dir/lab5-shardkv/y2026/"
sed -i -e 's|^    "lab2-kvsrv/y2026",$|    "lab2-kvsrv",\n&|' -e 's|^    "lab4-kvraft/y2026",$|    "lab4-kvraft",\n&|' "$dir/Cargo.toml"
start=$(date +%s)
(cd "$dir" && cargo test -q -p lab2-kvsrv-2026 -p lab4-kvraft-2026 -p lab5-shardkv-2026 \
    > "$out/transplant-2026.log" 2>&1) \
    || { tail -50 "$out/transplant-2026.log"; exit 1; }
echo "  $(grep -o '[0-9]* passed' "$out/transplant-2026.log" | awk '{ n += $1 } END { print n }') tests passed in $(( $(date +%s) - start )) s"

echo "== the student's workspace is a repository with one commit, and formatted"
student --from 1 >/dev/null
(cd "$dir" && cargo fmt --all -- --check)
[[ "$(git -C "$dir" rev-list --count HEAD)" == 1 ]]
[[ -z "$(git -C "$dir" status --porcelain)" ]]
echo "  one commit, clean"
