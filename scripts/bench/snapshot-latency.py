#!/usr/bin/env python3
"""Latency of CONTACT.GET and CONTACT.LOGCALL while another connection runs SNAPSHOT (issue 12),
or with LOAD=export EXPORT csv of every contact (issue 15).

Run by scripts/bench/snapshot-latency.sh; by hand:
  [LOAD=export] snapshot-latency.py PORT USER SECRET CONTACTS SECONDS
One client times alternating CONTACT.GET and CONTACT.LOGCALL of random ids for SECONDS with no
snapshot, then for SECONDS while a second client runs SNAPSHOT back to back; prints count, p50,
p99, p99.9 and max per command and phase, and how many snapshots ran.
"""
import json
import os
import random
import sys
import threading
import time

import redis

port, user, secret, contacts, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])


def connect():
    return redis.Redis(host="127.0.0.1", port=port, username=user, password=secret, decode_responses=True, protocol=2)


def measure(client, rng, until):
    samples = {"CONTACT.GET": [], "CONTACT.LOGCALL": []}
    while time.perf_counter() < until:
        contact = rng.randint(1, contacts)
        start = time.perf_counter()
        client.execute_command("CONTACT.GET", contact)
        samples["CONTACT.GET"].append(time.perf_counter() - start)
        start = time.perf_counter()
        client.execute_command("CONTACT.LOGCALL", contact, "completed")
        samples["CONTACT.LOGCALL"].append(time.perf_counter() - start)
    return samples


def summary(values):
    values.sort()
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1e3
    return f"n={len(values):6d}  p50={pick(0.5):7.3f} ms  p99={pick(0.99):7.3f} ms  p99.9={pick(0.999):7.3f} ms  max={values[-1] * 1e3:8.3f} ms"


client = connect()
rng = random.Random(7)
measure(client, rng, time.perf_counter() + 1)  # warm up
quiet = measure(client, rng, time.perf_counter() + seconds)

stop = threading.Event()
snapshots = []


load = os.environ.get("LOAD", "snapshot")


def export_once(admin):
    job = json.loads(admin.execute_command("EXPORT.START", "csv"))["job"]
    while json.loads(admin.execute_command("EXPORT.STATUS", job))["state"] == "running":
        time.sleep(0.05)


def snapshot_loop():
    admin = connect()
    while not stop.is_set():
        start = time.perf_counter()
        if load == "export":
            export_once(admin)
            snapshots.append(time.perf_counter() - start)
            continue
        try:
            admin.execute_command("SNAPSHOT")
        except redis.exceptions.ResponseError as error:
            # The server's own scheduled snapshot is running: wait for it, it counts as load too.
            if not str(error).startswith("CONFLICT"):
                raise
            time.sleep(0.05)
            continue
        snapshots.append(time.perf_counter() - start)


thread = threading.Thread(target=snapshot_loop)
thread.start()
time.sleep(0.2)
busy = measure(client, rng, time.perf_counter() + seconds)
stop.set()
thread.join()

during = "EXPORT csv" if load == "export" else "SNAPSHOT"
for name in ("CONTACT.GET", "CONTACT.LOGCALL"):
    print(f"{name:16s} idle             {summary(quiet[name])}")
    print(f"{name:16s} during {during:10s}{summary(busy[name])}")
print(f"{'exports' if load == 'export' else 'snapshots'}: {len(snapshots)}, each {min(snapshots, default=0):.2f}–{max(snapshots, default=0):.2f} s")
