#!/usr/bin/env python3
"""Writes the contacts of a Callsheet CSV as Redis commands (RESP, for `redis-cli --pipe`):
one hash per contact (name, phone, email, company, tags, notes), a phone -> id hash, and a set
of ids per tag: the records and the lookups Callsheet keeps (but no substring index, which Redis
does not have). Run by scripts/bench/memory-peers.sh."""
import csv
import sys


def command(*words):
    out = [f"*{len(words)}\r\n"]
    for word in words:
        data = word.encode()
        out.append(f"${len(data)}\r\n")
        out.append(data.decode() + "\r\n")
    return "".join(out)


write = sys.stdout.write
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    for number, row in enumerate(csv.DictReader(handle), start=1):
        key = f"contact:{number}"
        fields = []
        for name in ("Name", "Phone", "Email", "Company", "Tags", "Notes"):
            if row.get(name):
                fields += [name.lower(), row[name]]
        write(command("HSET", key, *fields))
        write(command("HSET", "phones", row["Phone"], str(number)))
        for tag in filter(None, (row.get("Tags") or "").split(",")):
            write(command("SADD", f"tag:{tag.strip()}", str(number)))
