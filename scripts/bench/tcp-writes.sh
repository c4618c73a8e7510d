#!/usr/bin/env bash
# Writes to existing contacts over TCP from 50 clients (issue 12's table), one run on this
# machine, with Redis doing the nearest write in the same run:
#
#   KEEP=1 CALLSHEET_BIN=.build/release/callsheet scripts/bench/tcp-writes.sh [FSYNC] [REQUESTS]
#
# Uses the data directory of scripts/bench/snapshot-latency.sh (run it first; 979,881 contacts
# at 1,000,000 rows). FSYNC is `no` (default) or `always`. redis-benchmark -c 50 -P 1 runs
#   callsheet  CONTACT.LOGCALL <random id> completed
#   callsheet  CONTACT.UPDATE <random id> {"notes":"…"}
#   redis      HINCRBY contact:<random id> total_calls 1   (appendonly off for `no`,
#              appendfsync always for `always`)
# and prints requests/s. Ids are drawn from 0..N-1, so about one request in a million asks for
# id 0 and gets NOT_FOUND. Nothing here runs in the test suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
FSYNC=${1:-no}
REQUESTS=${2:-200000}
OUT=/tmp/callsheet-snapshot-bench
PORT=${PORT:-17892}
REDIS_PORT=${REDIS_PORT:-17893}
CALLSHEET_BIN=${CALLSHEET_BIN:-.build/release/callsheet}
[ -f "$OUT/secret" ] || { echo "run scripts/bench/snapshot-latency.sh first" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }
SECRET=$(cat "$OUT/secret")
CONTACTS=$(grep -o '"active":[0-9]*' "$OUT/import.out" | tail -1 | cut -d: -f2)

"$CALLSHEET_BIN" serve --data "$OUT/data" --port "$PORT" --fsync "$FSYNC" --log-level warning > "$OUT/tcp-writes.log" 2>&1 &
SERVER=$!
if [ "$FSYNC" = always ]; then redis_aof=(--appendonly yes --appendfsync always); else redis_aof=(--appendonly no); fi
REDIS_DIR=$(mktemp -d)
redis-server --port "$REDIS_PORT" --save "" --dir "$REDIS_DIR" "${redis_aof[@]}" --daemonize no >/dev/null &
REDIS=$!
trap 'kill -TERM $SERVER $REDIS 2>/dev/null; wait $SERVER $REDIS 2>/dev/null || true; rm -rf "$REDIS_DIR"' EXIT
until redis-cli -p "$PORT" --no-auth-warning --user bench --pass "$SECRET" CONTACT.GET 1 2>/dev/null | grep -q '"id"'; do
  kill -0 $SERVER 2>/dev/null || { cat "$OUT/tcp-writes.log"; exit 1; }
  sleep 0.1
done
until redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1; do sleep 0.1; done

bench() { redis-benchmark -c 50 -n "$REQUESTS" -r "$CONTACTS" -q "$@" 2>&1 | tr '\r' '\n' | grep -v '^$' | tail -1; }
echo "contacts: $CONTACTS   fsync: $FSYNC   requests: $REQUESTS   clients: 50   $(date -u +%FT%TZ)"
echo "callsheet CONTACT.LOGCALL: $(bench -p "$PORT" --user bench -a "$SECRET" CONTACT.LOGCALL __rand_int__ completed)"
echo "callsheet CONTACT.UPDATE notes: $(bench -p "$PORT" --user bench -a "$SECRET" CONTACT.UPDATE __rand_int__ '{"notes":"called back about the renewal"}')"
echo "redis HINCRBY: $(bench -p "$REDIS_PORT" HINCRBY contact:__rand_int__ total_calls 1)"
