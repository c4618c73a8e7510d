#!/usr/bin/env bash
# Search benchmark (issue 5), run by hand: scripts/bench/search.sh [N]   (default 1,000,000)
# In-process p50/p99 of the issue's queries at LIMIT 50 and memory per contact; the same
# contacts and queries in SQLite FTS5 (trigram) in the same run; then over TCP against the
# real server. Writes a summary to /tmp/callsheet-search-bench/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
OUT=/tmp/callsheet-search-bench
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product callsheet-search-bench --product callsheet >&2
.build/release/callsheet-search-bench "$N" "$OUT" | tee "$OUT.inprocess.log"
python3 scripts/bench/search_sqlite.py "$OUT" | tee "$OUT.sqlite.log"
PORT=17878
.build/release/callsheet serve --data "$OUT/data" --port "$PORT" --fsync no >"$OUT.server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  (echo PING | timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; head -c 7 <&3" 2>/dev/null | grep -q PONG) && break
  sleep 0.5
done
python3 scripts/bench/search_tcp.py "$PORT" "$(cat "$OUT/secret")" | tee "$OUT.tcp.log"
