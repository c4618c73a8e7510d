#!/usr/bin/env bash
# Write benchmark (issue 12), run by hand: scripts/bench/writes.sh [N] [OPS]   (default 1,000,000 and 20,000)
# In-process: one organization of N generated contacts, then OPS writes of each kind to random
# existing contacts through OrganizationShard.write (plan, reply JSON, apply, journal record encoded).
# KINDS=logCall,updateNotes,updateTags,moveDepartment runs only those (a profile of one kind).
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
OPS="${2:-20000}"
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product callsheet-write-bench >&2
.build/release/callsheet-write-bench "$N" "$OPS"
