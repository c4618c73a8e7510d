#!/usr/bin/env bash
# Durability benchmarks, run by hand (not part of the tests). Figures go to docs/BENCHMARKS.md.
#   scripts/bench/durability.sh [CONTACTS] (default 1000000)
# 1. CONTACTS generated contacts in one organization: snapshot time and size, restore (open) time
#    until the store answers, decode-only vs decode + index rebuild.
# 2. Durable CONTACT.ADD throughput, 50 concurrent writers, fsync always: in-process and over TCP
#    against `callsheet serve`.
# 3. In the same run, redis-server (appendonly yes, appendfsync always) under
#    redis-benchmark -c 50 -P 1 -t set -d <average contact JSON size>, and the ratios.
# Env: WRITES (default 20000) durable writes per run; CALLSHEET_PACKAGE_DIR another checkout (a harness).
set -euo pipefail
CONTACTS=${1:-1000000}
WRITES=${WRITES:-20000}
PACKAGE=${CALLSHEET_PACKAGE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$PACKAGE"
swift build -c release --product callsheet >/dev/null
swift build -c release --product DurabilityBench >/dev/null
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/callsheet-bench-durability-XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

echo "# machine: $(nproc) cores, $(uname -r); $(df -T /tmp | awk 'NR==2 {print $2}') at /tmp"
echo "## $CONTACTS contacts: load, snapshot, restore"
"$BIN/DurabilityBench" load "$CONTACTS" "$WORK/load" | tee "$WORK/load.txt"
SIZE=$(awk -F= '/^contact_json_bytes_average=/ {print $2}' "$WORK/load.txt")

echo "## durable writes in-process: $WRITES CONTACT.ADD, 50 writers, fsync always"
"$BIN/DurabilityBench" writes "$WORK/writes" "$WRITES" 50 | tee "$WORK/writes.txt"

echo "## durable writes over TCP: $WRITES CONTACT.ADD, 50 connections, fsync always"
SECRET=$("$BIN/callsheet" org create Acme --admin alice --data "$WORK/tcp" | awk '/^secret: / {print $2}')
PORT=$(free_port)
"$BIN/callsheet" serve --data "$WORK/tcp" --port "$PORT" --fsync always --log-level error &
PIDS+=($!)
wait_port "$PORT"
"$BIN/DurabilityBench" tcp "$PORT" "$SECRET" "$WRITES" 50 | tee "$WORK/tcp.txt"

echo "## redis-server appendfsync always: redis-benchmark -c 50 -P 1 -t set -d $SIZE -n 100000"
RPORT=$(free_port)
mkdir -p "$WORK/redis"
redis-server --port "$RPORT" --dir "$WORK/redis" --appendonly yes --appendfsync always --save '' --daemonize no --loglevel warning >/dev/null &
PIDS+=($!)
wait_port "$RPORT"
redis-benchmark -p "$RPORT" -c 50 -P 1 -t set -d "$SIZE" -n 100000 -q | tr '\r' '\n' | grep -E "^SET" | tail -1 | tee "$WORK/redis.txt"
REDIS=$(grep -oE "[0-9.]+ requests per second" "$WORK/redis.txt" | awk '{print $1}')
INPROC=$(awk -F= '/^inprocess_writes_per_second=/ {print $2}' "$WORK/writes.txt")
TCP=$(awk -F= '/^tcp_writes_per_second=/ {print $2}' "$WORK/tcp.txt")
echo "## ratios (Callsheet / Redis, durable writes per second)"
awk -v a="$INPROC" -v b="$TCP" -v r="$REDIS" 'BEGIN { printf "redis=%s inprocess=%s (%.2fx) tcp=%s (%.2fx)\n", r, a, a / r, b, b / r }'
