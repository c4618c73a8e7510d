#!/usr/bin/env python3
"""The SearchBench queries over TCP against a running `callsheet serve`, one request at a time
(latency, not throughput). Usage: [LIMIT=50] [RETURN=name,phone,company] search_tcp.py PORT SECRET
(user 'bench'); RETURN asks for those members only (issue 16's search as you type)."""
import os, socket, sys, time

port, secret = int(sys.argv[1]), sys.argv[2]
sock = socket.create_connection(("127.0.0.1", port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
reader = sock.makefile("rb")

def command(*args):
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    sock.sendall(b"".join(parts))
    line = reader.readline()
    if line[:1] == b"$":
        length = int(line[1:])
        return reader.read(length + 2)[:-2] if length >= 0 else None
    if line[:1] == b"-":
        raise RuntimeError(line.decode().strip())
    return line.strip()

command("AUTH", "bench", secret)
queries = [["ohn"], ["smit"], ["mül"], ["josé"], ["garc"], ["ann"], ["schm"], ["kumar"], ["tech"], ["gmail"],
           ["zzqx"], ["lee"], ["mar"], ["o'b"], ["ng"], ["nguyen"], ["anne-marie"], ["2530"], ["415"], ["capital"],
           ["*", "TAGS", "ANY", "VIP,DNC,Prospect"], ["smit", "TAGS", "NONE", "DNC"],
           ["*", "TAGS", "ANY", "VIP", "TAGS", "NONE", "DNC", "SORT", "name"]]
extra = ["RETURN", os.environ["RETURN"]] if os.environ.get("RETURN") else []
print("query over TCP\tp50 µs\tp99 µs")
for words in queries:
    samples = []
    rounds = 20 if "SORT" in words else 300
    for _ in range(rounds):
        t = time.perf_counter()
        command("CONTACT.SEARCH", *words, "LIMIT", os.environ.get("LIMIT", "50"), *extra)
        samples.append(time.perf_counter() - t)
    samples.sort()
    print(f"{' '.join(words)}\t{samples[len(samples)//2]*1e6:.1f}\t{samples[min(len(samples)-1, int(len(samples)*0.99))]*1e6:.1f}")
