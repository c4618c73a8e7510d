#!/usr/bin/env bash
# Restart time and resident memory of `callsheet serve` on an existing data directory, run by
# hand: scripts/bench/restart.sh BIN DATA_DIR USER SECRET [RUNS]
# Each run starts `BIN serve` on DATA_DIR, times it to the first CONTACT.GET reply, reads VmRSS
# and the contact count, and stops it. With SNAPSHOT_FIRST=1 the first start also takes a
# SNAPSHOT (so that later starts read a snapshot written by BIN) before it stops. RSS is read
# RSS_WAIT seconds (default 1) after the first reply.
set -euo pipefail
BIN="$1" DATA="$2" USER_NAME="$3" SECRET="$4" RUNS="${5:-3}"
PORT=${PORT:-17891}
cli() { redis-cli -p "$PORT" --no-auth-warning --user "$USER_NAME" --pass "$SECRET" "$@"; }
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  "$BIN" serve --data "$DATA" --port "$PORT" --fsync no --log-level warning > /tmp/restart-bench-serve.log 2>&1 &
  SERVER=$!
  until cli CONTACT.GET 1 2>/dev/null | grep -q '"id"'; do
    kill -0 $SERVER 2>/dev/null || { cat /tmp/restart-bench-serve.log; exit 1; }
    sleep 0.02
  done
  RESTART=$(echo "$(date +%s.%N) - $start" | bc -l)
  # CPU seconds the server spent until then (user + system), steadier than wall time on a shared machine.
  CPU=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/$SERVER/stat)
  sleep "${RSS_WAIT:-1}"  # RSS_WAIT=8: after the duplicate keys are built off the shard
  RSS_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
  CONTACTS=$(cli CONTACT.COUNT | grep -o '"active":[0-9]*' | cut -d: -f2)
  [ -n "$CONTACTS" ] && [ "$CONTACTS" -gt 0 ] || CONTACTS=1
  printf 'run %d: restart %.2f s (%s CPU-s), RSS %d MB, %d B per contact (%d contacts)\n' "$run" "$RESTART" "$CPU" $((RSS_KB / 1024)) $((RSS_KB * 1024 / CONTACTS)) "$CONTACTS"
  if [ "${SNAPSHOT_FIRST:-}" = 1 ] && [ "$run" = 1 ]; then
    t0=$(date +%s.%N); cli SNAPSHOT > /dev/null; printf '  SNAPSHOT took %.2f s\n' "$(echo "$(date +%s.%N) - $t0" | bc -l)"
    ls -la "$DATA"/snapshot-*.zst | tail -1
  fi
  kill -TERM $SERVER; wait $SERVER 2>/dev/null || true
done
