#!/usr/bin/env bash
# Issue 12's serving figures, run by hand: scripts/bench/snapshot-latency.sh [N] [SECONDS]
# (default 1,000,000 contacts, 20 s a phase). Imports N generated contacts into a new data
# directory, then starts `callsheet serve` on it and prints:
#   - restart: from `serve` starting to the first CONTACT.GET reply,
#   - the server's resident memory per contact,
#   - CONTACT.GET / CONTACT.LOGCALL latencies without and during back-to-back SNAPSHOTs
#     (snapshot-latency.py, one client with the Python redis package).
# CALLSHEET_BIN=path uses an existing release binary; KEEP=1 reuses the data directory of a
# previous run (skips the import). Summary: /tmp/callsheet-snapshot-bench/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
SECONDS_PER_PHASE="${2:-20}"
OUT=/tmp/callsheet-snapshot-bench
PORT=${PORT:-17890}
HERE=scripts/bench
export PATH="/opt/swift/usr/bin:$PATH"
if [ -z "${CALLSHEET_BIN:-}" ]; then
  swift build -c release --product callsheet >&2
  CALLSHEET_BIN=.build/release/callsheet
fi
if [ -z "${KEEP:-}" ] || [ ! -f "$OUT/secret" ]; then
  rm -rf "$OUT" && mkdir -p "$OUT"
  "$CALLSHEET_BIN" gen "$N" -o "$OUT/contacts.csv" >&2
  BYTES=$(stat -c %s "$OUT/contacts.csv")
  printf 'ORG.CREATE Bench ADMIN bench\nORG.SET max_import_rows %s\nORG.SET max_import_bytes %s\nIMPORT.COMMIT FILE %s DUPLICATES skip\nCONTACT.COUNT\n' \
    "$((N + 1))" "$((BYTES + 1))" "$OUT/contacts.csv" > "$OUT/commands.txt"
  "$CALLSHEET_BIN" repl --data "$OUT/data" --no-demo < "$OUT/commands.txt" > "$OUT/import.out" 2>"$OUT/import.err"
  grep -o '"secret":"[^"]*"' "$OUT/import.out" | head -1 | cut -d'"' -f4 > "$OUT/secret"
  grep -q '"state":"completed"' "$OUT/import.out" || { cat "$OUT/import.out" "$OUT/import.err"; exit 1; }
fi
SECRET=$(cat "$OUT/secret")
CONTACTS=$(grep -o '"active":[0-9]*' "$OUT/import.out" | tail -1 | cut -d: -f2)

start=$(date +%s.%N)
"$CALLSHEET_BIN" serve --data "$OUT/data" --port "$PORT" --fsync no --log-level warning > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
until redis-cli -p "$PORT" --no-auth-warning --user bench --pass "$SECRET" CONTACT.GET 1 2>/dev/null | grep -q '"id"'; do
  kill -0 $SERVER 2>/dev/null || { cat "$OUT/serve.log"; exit 1; }
  sleep 0.05
done
RESTART=$(echo "$(date +%s.%N) - $start" | bc -l)
RSS_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
{
  echo "contacts: $CONTACTS   cores: $(nproc)   $(date -u +%FT%TZ)"
  printf 'restart until the first CONTACT.GET reply: %.2f s\n' "$RESTART"
  echo "server RSS after restart: $((RSS_KB / 1024)) MB, $((RSS_KB * 1024 / CONTACTS)) B per contact"
  python3 "$HERE/snapshot-latency.py" "$PORT" bench "$SECRET" "$CONTACTS" "$SECONDS_PER_PHASE"
  RSS_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
  echo "server RSS at the end: $((RSS_KB / 1024)) MB"
} | tee "$OUT/summary.txt"
