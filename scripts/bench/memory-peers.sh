#!/usr/bin/env bash
# Memory per contact of Redis and SQLite on the CSV scripts/bench/snapshot-latency.sh generated
# (run that first), for issue 12's comparison, by hand: scripts/bench/memory-peers.sh
#   Redis 7: a hash per contact, a phone -> id hash, a set per tag; `INFO memory` used_memory
#            and the server's RSS (no substring index: Redis has none).
#   SQLite:  `.import` of the CSV, an index on phone, an FTS5 trigram index on name, email and
#            company; the database file's size.
set -euo pipefail
OUT=/tmp/callsheet-snapshot-bench
CSV="$OUT/contacts.csv"
[ -f "$CSV" ] || { echo "run scripts/bench/snapshot-latency.sh first" >&2; exit 1; }
ROWS=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline='', encoding='utf-8'))) - 1)" "$CSV")
command -v redis-server > /dev/null && command -v sqlite3 > /dev/null || apt-get install -y redis-server sqlite3 >&2
PORT=${REDIS_PORT:-17899}
redis-server --port "$PORT" --save "" --appendonly no --daemonize no > "$OUT/redis.log" 2>&1 &
REDIS=$!
trap 'kill $REDIS 2>/dev/null; wait $REDIS 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" PING > /dev/null 2>&1 && break; sleep 0.1; done
BASE=$(redis-cli -p "$PORT" INFO memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
python3 "$(dirname "$0")/memory-peers.py" "$CSV" | redis-cli -p "$PORT" --pipe > /dev/null
KEYS=$(redis-cli -p "$PORT" DBSIZE)
USED=$(redis-cli -p "$PORT" INFO memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
RSS=$(awk '/VmRSS/ {print $2}' /proc/$REDIS/status)
rm -f "$OUT/peers.db"
sqlite3 "$OUT/peers.db" ".mode csv" ".import $CSV contacts" \
  "CREATE INDEX contacts_phone ON contacts(Phone);" \
  "CREATE VIRTUAL TABLE contacts_fts USING fts5(name, email, company, tokenize='trigram');" \
  "INSERT INTO contacts_fts SELECT Name, Email, Company FROM contacts;" "VACUUM;"
DB=$(stat -c %s "$OUT/peers.db")
{
  echo "rows: $ROWS   redis keys: $KEYS   $(redis-server --version | cut -d' ' -f3)   sqlite $(sqlite3 --version | cut -d' ' -f1)"
  echo "redis used_memory: $(( (USED - BASE) / ROWS )) B per contact; RSS $(( RSS / 1024 )) MB, $(( RSS * 1024 / ROWS )) B per contact"
  echo "sqlite file with phone index and FTS5 trigram: $(( DB / 1024 / 1024 )) MB, $(( DB / ROWS )) B per contact"
} | tee "$OUT/peers.txt"
