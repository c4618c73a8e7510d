#!/usr/bin/env bash
# Import benchmark (issue 6), run by hand: scripts/bench/import.sh [N]   (default 1,000,000)
# Times one IMPORT.COMMIT of N generated rows (full validation, libphonenumber on both cores,
# duplicate detection, every index built: searchable when it returns) and its peak RSS; then,
# in the same run, PostgreSQL COPY + pg_trgm GIN index and sqlite3 .import + FTS5 trigram index
# on the same CSV. Summary: /tmp/callsheet-import-bench/summary.txt.
# CALLSHEET_BIN=path uses an existing release binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
OUT=/tmp/callsheet-import-bench
export PATH="/opt/swift/usr/bin:$PATH"
rm -rf "$OUT" && mkdir -p "$OUT" && chmod 777 "$OUT"
if [ -z "${CALLSHEET_BIN:-}" ]; then
  swift build -c release --product callsheet >&2
  CALLSHEET_BIN=.build/release/callsheet
fi
CSV="$OUT/contacts.csv"
"$CALLSHEET_BIN" gen "$N" -o "$CSV" >&2
chmod 644 "$CSV"
BYTES=$(stat -c %s "$CSV")
now() { date +%s.%N; }

# Callsheet: one import, timed by the import log (ms=) and by the wall clock; peak RSS by time(1).
printf 'ORG.CREATE Bench\nORG.SET max_import_rows %s\nORG.SET max_import_bytes %s\nIMPORT.COMMIT FILE %s DUPLICATES skip\nCONTACT.SEARCH "smith" LIMIT 1\nCONTACT.COUNT\n' \
  "$((N + 1))" "$((BYTES + 1))" "$CSV" > "$OUT/commands.txt"
/usr/bin/time -f "%M" -o "$OUT/callsheet.rss" "$CALLSHEET_BIN" repl --data "$OUT/data" --no-demo < "$OUT/commands.txt" > "$OUT/callsheet.out" 2>"$OUT/callsheet.err"
IMPORT_MS=$(grep -o 'ms=[0-9]*' "$OUT/data/imports/contact-import.log" | tail -1 | cut -d= -f2)
CS_RSS_KB=$(tail -1 "$OUT/callsheet.rss")
grep -q '"state":"completed"' "$OUT/callsheet.out" || { cat "$OUT/callsheet.out" "$OUT/callsheet.err"; exit 1; }

# PostgreSQL: a throw-away cluster owned by the postgres user.
if ! command -v initdb >/dev/null && [ ! -x /usr/lib/postgresql/*/bin/initdb ]; then
  apt-get install -y postgresql postgresql-contrib >&2
fi
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
PGDATA="$OUT/pg"
su postgres -c "$PGBIN/initdb -D $PGDATA -A trust" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDATA -o '-p 55432 -k $OUT -c fsync=on -c maintenance_work_mem=512MB' -l $OUT/pg.log start -w" >/dev/null
trap 'su postgres -c "$PGBIN/pg_ctl -D $PGDATA stop -m fast" >/dev/null 2>&1 || true' EXIT
PSQL="psql -h $OUT -p 55432 -U postgres -q -v ON_ERROR_STOP=1"
$PSQL -c "CREATE EXTENSION pg_trgm; CREATE TABLE contacts (name text, phone text, email text, company text, tags text, notes text);"
T0=$(now)
$PSQL -c "\\copy contacts FROM '$CSV' WITH (FORMAT csv, HEADER true)"
T1=$(now)
$PSQL -c "CREATE INDEX contacts_trgm ON contacts USING gin (name gin_trgm_ops, email gin_trgm_ops, company gin_trgm_ops);"
T2=$(now)
PG_COPY=$(echo "$T1 - $T0" | bc -l); PG_TOTAL=$(echo "$T2 - $T0" | bc -l)

# SQLite: .import, then an FTS5 trigram index over the same columns.
T0=$(now)
sqlite3 "$OUT/contacts.db" ".mode csv" ".import $CSV contacts"
T1=$(now)
sqlite3 "$OUT/contacts.db" "CREATE VIRTUAL TABLE contacts_fts USING fts5(name, email, company, tokenize='trigram'); INSERT INTO contacts_fts SELECT Name, Email, Company FROM contacts;"
T2=$(now)
SQ_IMPORT=$(echo "$T1 - $T0" | bc -l); SQ_TOTAL=$(echo "$T2 - $T0" | bc -l)

CS_S=$(echo "$IMPORT_MS / 1000" | bc -l)
{
  echo "rows: $N   CSV: $BYTES bytes   cores: $(nproc)"
  printf 'callsheet IMPORT.COMMIT (validated, normalized, deduplicated, indexed, journaled): %.2f s  %.0f rows/s  peak RSS %d MB\n' "$CS_S" "$(echo "$N / $CS_S" | bc -l)" "$((CS_RSS_KB / 1024))"
  printf 'postgres COPY %.2f s + pg_trgm GIN = %.2f s until searchable  (callsheet/postgres time ratio %.2f)\n' "$PG_COPY" "$PG_TOTAL" "$(echo "$CS_S / $PG_TOTAL" | bc -l)"
  printf 'sqlite3 .import %.2f s + FTS5 trigram = %.2f s until searchable  (callsheet/sqlite time ratio %.2f)\n' "$SQ_IMPORT" "$SQ_TOTAL" "$(echo "$CS_S / $SQ_TOTAL" | bc -l)"
} | tee "$OUT/summary.txt"
