#!/usr/bin/env bash
# A local cluster of the Lab 4 key/value service: kvraft-server processes on loopback
# ports, over TCP, each with its Raft state on disk. `scripts/cluster.sh help` for usage.
#
# Everything lives in one folder (--dir, default target/cluster): the cluster key, the
# address list, and per server its data directory, log and pid.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/target/cluster"
port=17001
profile=debug
fsync=on

usage() {
    cat <<EOF
usage: scripts/cluster.sh [--dir DIR] [--port BASE] [--release] [--fsync on|off] COMMAND [ARGS]

  start N          start N servers (1 to 9) on ports BASE..BASE+N-1 (default 17001),
                   with their data in DIR (default target/cluster); a cluster stopped
                   earlier in DIR starts again with its data
  stop             stop every server (SIGTERM); the data stays
  destroy          stop every server and remove DIR
  kill I           SIGKILL server I (0-based)
  restart I        start server I again, from its data
  status           each server: role, term, commit index, log and snapshot sizes
  partition I...   cut servers I... off from the others (a minority or a majority)
  heal             undo every partition
  kv ARGS...       the client against this cluster: get K | put K V | append K V | bench ...
  help             this text

Options: --dir DIR, --port BASE, --release (build and run optimised binaries),
--fsync on|off (whether the servers wait for the disk on every save; default on).
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; dir="$2"; shift 2 ;;
        --port)
            [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -ge 1024 && "$2" -le 65000 ]] \
                || { echo "cluster.sh: --port takes a number from 1024 to 65000" >&2; exit 2; }
            port="$2"; shift 2 ;;
        --release) profile=release; shift ;;
        --fsync)
            [[ $# -ge 2 && ( "$2" == on || "$2" == off ) ]] \
                || { echo "cluster.sh: --fsync takes on or off" >&2; exit 2; }
            fsync="$2"; shift 2 ;;
        -h|--help|help) usage; exit 0 ;;
        -*) echo "cluster.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) break ;;
    esac
done
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
command="$1"; shift
# Absolute, so the servers find their files whatever directory a later command runs in.
dir="$(realpath -m "$dir")"
# The servers are the reference Lab 4's binaries; a student workspace with its own Lab 4
# has none (its src/ is the student's).
if [[ ! -f "$root/lab4-kvraft/src/bin/kvraft-server.rs" ]]; then
    echo "cluster.sh: this workspace's lab4-kvraft has no kvraft-server binary (the real cluster runs the reference Lab 4)" >&2
    exit 1
fi

bin="${CARGO_TARGET_DIR:-$root/target}/$profile"
build() {
    local flags=(-q -p lab4-kvraft --bin kvraft-server --bin kv)
    [[ $profile == release ]] && flags+=(--release)
    (cd "$root" && cargo build "${flags[@]}")
}

peers() { cat "$dir/peers"; }
count() { peers | tr ',' '\n' | grep -c .; }
pid_of() { cat "$dir/server-$1/pid" 2>/dev/null || true; }
# Running, and not a zombie whose exit nobody has collected yet.
alive() {
    local pid state
    pid=$(pid_of "$1")
    [[ -n "$pid" ]] || return 1
    state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z* ]]
}
need_cluster() { [[ -f "$dir/peers" ]] || { echo "cluster.sh: no cluster in $dir (start one: cluster.sh start 3)" >&2; exit 1; }; }
index() {
    [[ "$1" =~ ^[0-9]+$ && "$1" -lt $(count) ]] \
        || { echo "cluster.sh: $1 is not a server of this cluster (0 to $(( $(count) - 1 )))" >&2; exit 2; }
}
kv() { "$bin/kv" --servers "$(peers)" --key "$dir/cluster.key" "$@"; }

launch() {
    local i=$1 data="$dir/server-$1"
    mkdir -p "$data"
    nohup "$bin/kvraft-server" --me "$i" --peers "$(peers)" --data "$data/data" \
        --key "$dir/cluster.key" --max-raft-state 100000 --fsync "$(cat "$dir/fsync")" --allow-faults \
        >> "$data/log" 2>&1 &
    echo $! > "$data/pid"
}

# Waits until server I answers its status (or 10 s pass).
wait_up() {
    for _ in $(seq 100); do
        if kv --timeout 1 status 2>/dev/null | awk -v i="$1" '$1 == i && $3 != "down" { ok = 1 } END { exit !ok }'; then
            return 0
        fi
        alive "$1" || { echo "cluster.sh: server $1 exited; its log:" >&2; tail -5 "$dir/server-$1/log" >&2; exit 1; }
        sleep 0.1
    done
    echo "cluster.sh: server $1 does not answer" >&2
    exit 1
}

case "$command" in
    start)
        [[ $# -eq 1 && "$1" =~ ^[1-9]$ ]] || { echo "cluster.sh: start takes a server count, 1 to 9" >&2; exit 2; }
        n=$1
        if [[ -f "$dir/peers" ]]; then
            for i in $(seq 0 $(( $(count) - 1 ))); do
                alive "$i" && { echo "cluster.sh: server $i of $dir is running (stop it first)" >&2; exit 1; }
            done
            [[ $(count) == "$n" ]] || { echo "cluster.sh: $dir holds a cluster of $(count) servers (destroy it first)" >&2; exit 1; }
        fi
        build
        mkdir -p "$dir"
        if [[ ! -f "$dir/cluster.key" ]]; then
            (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/cluster.key")
        fi
        # What `start` chose holds for every later restart of this cluster.
        echo "$fsync" > "$dir/fsync"
        if [[ ! -f "$dir/peers" ]]; then
            seq 0 $(( n - 1 )) | awk -v p="$port" '{ printf "%s127.0.0.1:%d", (NR > 1 ? "," : ""), p + $1 }' > "$dir/peers"
        fi
        for i in $(seq 0 $(( n - 1 ))); do launch "$i"; done
        for i in $(seq 0 $(( n - 1 ))); do wait_up "$i"; done
        echo "cluster.sh: $n servers up on $(peers); data in $dir"
        ;;
    stop|destroy)
        if [[ -f "$dir/peers" ]]; then
            for i in $(seq 0 $(( $(count) - 1 ))); do
                if alive "$i"; then kill -TERM "$(pid_of "$i")"; fi
            done
            for i in $(seq 0 $(( $(count) - 1 ))); do
                for _ in $(seq 50); do alive "$i" || break; sleep 0.1; done
                if alive "$i"; then kill -KILL "$(pid_of "$i")"; fi
                rm -f "$dir/server-$i/pid"
            done
        fi
        if [[ $command == destroy ]]; then
            rm -rf "$dir"
            echo "cluster.sh: removed $dir"
        else
            echo "cluster.sh: stopped"
        fi
        ;;
    kill)
        need_cluster; [[ $# -eq 1 ]] || { usage >&2; exit 2; }; index "$1"
        alive "$1" || { echo "cluster.sh: server $1 is not running" >&2; exit 1; }
        kill -KILL "$(pid_of "$1")"
        echo "cluster.sh: server $1 killed (SIGKILL)"
        ;;
    restart)
        need_cluster; [[ $# -eq 1 ]] || { usage >&2; exit 2; }; index "$1"
        alive "$1" && { echo "cluster.sh: server $1 is running" >&2; exit 1; }
        build
        launch "$1"
        wait_up "$1"
        echo "cluster.sh: server $1 restarted from $dir/server-$1/data"
        ;;
    status)
        need_cluster
        kv --timeout 2 status
        ;;
    partition|heal)
        need_cluster
        n=$(count)
        declare -A side=()
        if [[ $command == partition ]]; then
            [[ $# -ge 1 ]] || { usage >&2; exit 2; }
            for i in "$@"; do index "$i"; side[$i]=1; done
        fi
        for s in $(seq 0 $(( n - 1 ))); do
            cut=()
            for p in $(seq 0 $(( n - 1 ))); do
                [[ $command == partition && ${side[$s]:-0} != "${side[$p]:-0}" ]] && cut+=("$p")
            done
            if alive "$s"; then kv --timeout 2 isolate "$s" "${cut[@]}"; fi
        done
        if [[ $command == partition ]]; then
            echo "cluster.sh: servers $* cut off from the others"
        else
            echo "cluster.sh: healed"
        fi
        ;;
    kv)
        need_cluster
        kv "$@"
        ;;
    *)
        echo "cluster.sh: unknown command $command" >&2
        usage >&2
        exit 2
        ;;
esac
