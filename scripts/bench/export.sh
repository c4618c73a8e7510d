#!/usr/bin/env bash
# Export benchmark (issue 15), run by hand: scripts/bench/export.sh [N]   (default 1,000,000)
# Imports N generated contacts into a fresh data directory, then times EXPORT csv and EXPORT xlsx
# of every contact (the job's own clock: selection, rendering, file written whole) and the peak
# RSS of the process; in the same run, PostgreSQL COPY (SELECT …) TO a CSV file and sqlite3's
# .mode csv output of the same contacts. Summary: /tmp/callsheet-export-bench/summary.txt.
# CALLSHEET_BIN=path uses an existing release binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
OUT=/tmp/callsheet-export-bench
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

printf 'ORG.CREATE Bench\nORG.SET max_import_rows %s\nORG.SET max_import_bytes %s\nIMPORT.COMMIT FILE %s DUPLICATES skip\n' \
  "$((N + 1))" "$((BYTES + 1))" "$CSV" | "$CALLSHEET_BIN" repl --data "$OUT/data" --no-demo > "$OUT/import.out" 2>&1
grep -q '"state":"completed"' "$OUT/import.out" || { cat "$OUT/import.out"; exit 1; }

# Callsheet: both exports in one session (the directory is opened once); each job's milliseconds.
printf 'USE Bench\nEXPORT csv TO %s\nEXPORT xlsx TO %s\nCONTACT.COUNT\n' "$OUT/export.csv" "$OUT/export.xlsx" > "$OUT/commands.txt"
/usr/bin/time -f "%M" -o "$OUT/callsheet.rss" "$CALLSHEET_BIN" repl --data "$OUT/data" < "$OUT/commands.txt" > "$OUT/callsheet.out" 2>"$OUT/callsheet.err"
CSV_MS=$(grep '"file":"'"$OUT"'/export.csv"' "$OUT/callsheet.out" | grep -o '"milliseconds":[0-9]*' | cut -d: -f2)
XLSX_MS=$(grep '"file":"'"$OUT"'/export.xlsx"' "$OUT/callsheet.out" | grep -o '"milliseconds":[0-9]*' | cut -d: -f2)
ROWS=$(grep '"file":"'"$OUT"'/export.csv"' "$OUT/callsheet.out" | grep -o '"rows":[0-9]*' | cut -d: -f2)
[ -n "$CSV_MS" ] && [ -n "$XLSX_MS" ] || { cat "$OUT/callsheet.out" "$OUT/callsheet.err"; exit 1; }
/usr/bin/python3 -c "import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1], read_only=True).active; print('openpyxl rows', ws.max_row)" "$OUT/export.xlsx" > "$OUT/openpyxl.txt"

# PostgreSQL: a throw-away cluster, the same CSV loaded, then COPY (SELECT …) TO a file.
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
PGDATA="$OUT/pg"
su postgres -c "$PGBIN/initdb -D $PGDATA -A trust" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDATA -o '-p 55433 -k $OUT' -l $OUT/pg.log start -w" >/dev/null
trap 'su postgres -c "$PGBIN/pg_ctl -D $PGDATA stop -m fast" >/dev/null 2>&1 || true' EXIT
PSQL="psql -h $OUT -p 55433 -U postgres -q -v ON_ERROR_STOP=1"
$PSQL -c "CREATE TABLE contacts (name text, phone text, email text, company text, tags text, notes text);"
$PSQL -c "\\copy contacts FROM '$CSV' WITH (FORMAT csv, HEADER true)"
T0=$(now)
$PSQL -c "COPY (SELECT name, phone, email, company, tags, notes FROM contacts ORDER BY phone) TO '$OUT/pg.csv' WITH (FORMAT csv, HEADER true)"
T1=$(now)
PG_S=$(echo "$T1 - $T0" | bc -l)

# SQLite: the same CSV imported, then .mode csv output of a SELECT to a file.
sqlite3 "$OUT/contacts.db" ".mode csv" ".import $CSV contacts"
T0=$(now)
sqlite3 "$OUT/contacts.db" ".headers on" ".mode csv" ".output $OUT/sqlite.csv" "SELECT Name, Phone, Email, Company, Tags, Notes FROM contacts ORDER BY rowid;"
T1=$(now)
SQ_S=$(echo "$T1 - $T0" | bc -l)

CSV_S=$(echo "$CSV_MS / 1000" | bc -l); XLSX_S=$(echo "$XLSX_MS / 1000" | bc -l)
{
  echo "contacts: $ROWS   cores: $(nproc)"
  printf 'callsheet EXPORT csv: %.2f s (%s bytes)   EXPORT xlsx: %.2f s (%s bytes, %s)   peak RSS of the session %d MB\n' \
    "$CSV_S" "$(stat -c %s "$OUT/export.csv")" "$XLSX_S" "$(stat -c %s "$OUT/export.xlsx")" "$(cat "$OUT/openpyxl.txt")" "$(($(tail -1 "$OUT/callsheet.rss") / 1024))"
  printf 'postgres COPY (SELECT …) TO csv: %.2f s   (callsheet csv / postgres time ratio %.2f)\n' "$PG_S" "$(echo "$CSV_S / $PG_S" | bc -l)"
  printf 'sqlite3 .mode csv output: %.2f s   (callsheet csv / sqlite time ratio %.2f)\n' "$SQ_S" "$(echo "$CSV_S / $SQ_S" | bc -l)"
} | tee "$OUT/summary.txt"
