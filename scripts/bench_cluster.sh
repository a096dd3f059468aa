#!/usr/bin/env bash
# The real cluster's benchmark (not a test: nothing fails for being slow): throughput and
# p50/p99 latency of puts of small values on a 3-server loopback cluster of release
# kvraft-servers, 1 and 32 clients, fsync on and off; and, if etcd is installed (Debian's
# etcd-server and etcd-client), the same load on a 3-member etcd on loopback, in the same
# run, with the ratio.
#   scripts/bench_cluster.sh [SECONDS per measurement, default 10]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-10}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 && "$seconds" -le 600 ]] \
    || { echo "bench_cluster.sh: SECONDS must be 1 to 600" >&2; exit 2; }
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build -q --release -p lab4-kvraft --bin kvraft-server --bin kv
cargo build -q --release -p lab-stress --bin etcd-load
work="$target/bench-cluster"
etcd_pids=()
cleanup() {
    scripts/cluster.sh --dir "$work/kv" destroy > /dev/null 2>&1 || true
    for pid in "${etcd_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
cleanup

results=()
for fsync in on off; do
    cluster=(scripts/cluster.sh --release --dir "$work/kv" --port 17301 --fsync "$fsync")
    "${cluster[@]}" start 3 > /dev/null
    for clients in 1 32; do
        line=$("${cluster[@]}" kv bench --clients "$clients" --seconds "$seconds")
        results+=("kvraft  fsync $fsync  $line")
        echo "kvraft  fsync $fsync  $line"
    done
    "${cluster[@]}" destroy > /dev/null
done

if command -v etcd > /dev/null && command -v etcdctl > /dev/null; then
    mkdir -p "$work/etcd"
    initial="e0=http://127.0.0.1:17410,e1=http://127.0.0.1:17411,e2=http://127.0.0.1:17412"
    for i in 0 1 2; do
        etcd --name "e$i" --data-dir "$work/etcd/e$i" \
            --listen-peer-urls "http://127.0.0.1:1741$i" --initial-advertise-peer-urls "http://127.0.0.1:1741$i" \
            --listen-client-urls "http://127.0.0.1:1742$i" --advertise-client-urls "http://127.0.0.1:1742$i" \
            --initial-cluster "$initial" --initial-cluster-state new --log-level error \
            > "$work/etcd/log-$i" 2>&1 &
        etcd_pids+=($!)
        disown  # killed at the end without a word from the shell
    done
    endpoints="127.0.0.1:17420,127.0.0.1:17421,127.0.0.1:17422"
    for _ in $(seq 100); do
        ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint health > /dev/null 2>&1 && break
        sleep 0.2
    done
    leader=$(ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint status -w simple \
        | awk -F', ' '$5 == "true" { print $1 }')
    [[ -n "$leader" ]] || { echo "bench_cluster.sh: etcd elected no leader" >&2; exit 1; }
    for clients in 1 32; do
        line=$("$target/release/etcd-load" --endpoint "$leader" --clients "$clients" --seconds "$seconds")
        results+=("etcd    fsync on   $line")
        echo "etcd    fsync on   $line"
    done
    ours=$(printf '%s\n' "${results[@]}" | awk '/^kvraft  fsync on  clients 32 / { for (i = 1; i <= NF; i++) if ($i == "throughput") print $(i + 1) }')
    theirs=$(printf '%s\n' "${results[@]}" | awk '/^etcd .* clients 32 / { for (i = 1; i <= NF; i++) if ($i == "throughput") print $(i + 1) }')
    awk -v o="$ours" -v t="$theirs" 'BEGIN { printf "32 clients, fsync on: kvraft %d ops/s, etcd %d ops/s: kvraft/etcd = %.2f\n", o, t, o / t }'
else
    echo "(etcd is not installed: apt-get install etcd-server etcd-client for the side-by-side run)"
fi
