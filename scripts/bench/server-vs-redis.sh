#!/usr/bin/env bash
# Callsheet vs redis-server under redis-benchmark, one run on this machine (issue 4).
#
#   CALLSHEET=.build/release/callsheet DATA=/tmp/bench-data USER=bench SECRET=... \
#     scripts/bench/server-vs-redis.sh [CONTACTS]
#
# DATA must hold an organization whose admin is USER/SECRET (`callsheet org create`). The script
# loads CONTACTS contacts (default 1,000,000) with CONTACT.ADD through `redis-cli --pipe` unless
# the organization already has them, then runs, with -c 50 -n 2,000,000 at -P 1 and -P 16:
#   callsheet  CONTACT.GET <random id>      (redis-benchmark -r picks ids 0..CONTACTS-1)
#   callsheet  CONTACT.BYPHONE <one phone>  (-r cannot write a valid phone number)
#   redis      GET of one key holding a value the size of a contact's JSON
# and prints requests/s and the ratio to redis. Nothing here runs in the test suite.
set -euo pipefail
CONTACTS=${1:-1000000}
CALLSHEET=${CALLSHEET:-.build/release/callsheet}
DATA=${DATA:?set DATA to a data directory with an organization}
USER=${USER_NAME:-${USER:?set USER to the admin login}}
SECRET=${SECRET:?set SECRET to the admin secret}
PORT=${PORT:-17878}
REDIS_PORT=${REDIS_PORT:-17879}
REQUESTS=${REQUESTS:-2000000}
HERE=$(cd "$(dirname "$0")" && pwd)

"$CALLSHEET" serve --data "$DATA" --port "$PORT" --fsync everysec --log-level warning &
SERVER=$!
redis-server --port "$REDIS_PORT" --save "" --appendonly no --daemonize no >/dev/null &
REDIS=$!
trap 'kill -TERM $SERVER $REDIS 2>/dev/null; wait $SERVER $REDIS 2>/dev/null || true' EXIT
for p in "$PORT" "$REDIS_PORT"; do
  for _ in $(seq 300); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.2; done
done

cli() { redis-cli -p "$PORT" --no-auth-warning --user "$USER" --pass "$SECRET" "$@"; }
have=$(cli CONTACT.COUNT | grep -o '"active":[0-9]*' | cut -d: -f2 || echo 0)
if [ "${have:-0}" -lt "$CONTACTS" ]; then
  echo "loading $CONTACTS contacts..."
  start=$(date +%s)
  python3 "$HERE/generate-contacts.py" "$USER" "$SECRET" "$CONTACTS" | redis-cli -p "$PORT" --pipe | tail -2 || true
  echo "loaded in $(( $(date +%s) - start )) s: $(cli CONTACT.COUNT)"
fi
sample=$(cli CONTACT.GET 1)
phone=$(echo "$sample" | grep -o '"phone":"[^"]*"' | cut -d'"' -f4)
size=${#sample}
echo "contact JSON: $size bytes; phone lookup: $phone"
redis-cli -p "$REDIS_PORT" SET bench:contact "$sample" >/dev/null

bench() {  # port, pipeline, auth?, command...
  local port=$1 pipeline=$2 auth=$3; shift 3
  local args=(-p "$port" -c 50 -n "$REQUESTS" -P "$pipeline" -q)
  if [ "$auth" = yes ]; then args+=(--user "$USER" -a "$SECRET"); fi
  redis-benchmark "${args[@]}" -r "$CONTACTS" "$@" 2>/dev/null | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1
}
# redis-benchmark exits on the first error reply, and -r draws ids from 0 (never a contact id,
# so an error) about once per million requests. The random-id run is therefore made of 20 runs
# of REQUESTS/20, each repeated until it draws no 0; the rate is total requests / total time.
bench_random_ids() {  # pipeline
  local chunk=$(( REQUESTS / 20 )) seconds=0 rate
  for _ in $(seq 20); do
    rate=""
    for _ in $(seq 10); do
      rate=$(REQUESTS=$chunk bench "$PORT" "$1" yes CONTACT.GET __rand_int__ || true)
      [ -n "$rate" ] && break
    done
    seconds=$(echo "$seconds + $chunk / $rate" | bc -l)
  done
  echo "$REQUESTS / $seconds" | bc -l | xargs printf '%.2f'
}
printf '%-28s %4s %14s %8s\n' workload P "requests/s" "vs redis"
for P in 1 16; do
  redis=$(bench "$REDIS_PORT" "$P" no GET bench:contact)
  get=$(bench_random_ids "$P")
  byphone=$(bench "$PORT" "$P" yes CONTACT.BYPHONE "$phone")
  printf '%-28s %4s %14s %8s\n' "redis GET ($size B)" "$P" "$redis" "1.00"
  printf '%-28s %4s %14s %8.2f\n' "callsheet CONTACT.GET rand" "$P" "$get" "$(echo "$get / $redis" | bc -l)"
  printf '%-28s %4s %14s %8.2f\n' "callsheet CONTACT.BYPHONE" "$P" "$byphone" "$(echo "$byphone / $redis" | bc -l)"
done
echo "server RSS: $(ps -o rss= -p $SERVER) KiB"
