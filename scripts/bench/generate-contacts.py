#!/usr/bin/env python3
"""Writes RESP requests for `redis-cli --pipe`: AUTH, then COUNT CONTACT.ADD requests with
unique valid US numbers (+1 AAA NXX XXXX over several area codes, no N11 exchanges).

Usage: generate-contacts.py USER SECRET COUNT > load.resp
"""
import json
import sys

user, secret, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer


def request(*args):
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else arg
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def phones():
    for area in (650, 415, 408, 510, 212, 646, 718, 312, 617, 206):
        for exchange in range(200, 1000):
            if exchange % 100 == 11:
                continue
            for line in range(10000):
                yield "+1%d%d%04d" % (area, exchange, line)


out.write(request("AUTH", user, secret))
companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"]
buffer = []
for i, phone in zip(range(count), phones()):
    contact = {
        "name": "Contact %d" % i,
        "phone": phone,
        "email": "contact%d@example.com" % i,
        "company": companies[i % len(companies)],
        "tags": ["lead"] if i % 3 == 0 else ["customer"],
    }
    buffer.append(request("CONTACT.ADD", json.dumps(contact, separators=(",", ":"))))
    if len(buffer) == 10000:
        out.write(b"".join(buffer))
        buffer = []
out.write(b"".join(buffer))
