#!/usr/bin/env python3
"""SQLite FTS5 (trigram) on the same contacts and queries as SearchBench, for the ratio in
docs/BENCHMARKS.md. Usage: search_sqlite.py OUTDIR (reads OUTDIR/contacts.csv)."""
import csv, os, sqlite3, statistics, sys, time

out = sys.argv[1]
path = os.path.join(out, "contacts.sqlite")
if os.path.exists(path):
    os.remove(path)
db = sqlite3.connect(path)
db.executescript("""
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
CREATE VIRTUAL TABLE fts USING fts5(name, email, company, phone, tokenize='trigram');
CREATE TABLE contact_tags(contact_id INTEGER, tag TEXT);
""")
start = time.perf_counter()
rows = 0
with open(os.path.join(out, "contacts.csv"), newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    batch, tags = [], []
    for row in reader:
        rows += 1
        cid = int(row["id"])
        batch.append((cid, row["name"], row["email"], row["company"], row["phone"].lstrip("+")))
        for tag in filter(None, row["tags"].split(",")):
            tags.append((cid, tag))
        if len(batch) >= 50000:
            db.executemany("INSERT INTO fts(rowid, name, email, company, phone) VALUES (?,?,?,?,?)", batch)
            db.executemany("INSERT INTO contact_tags VALUES (?,?)", tags)
            batch, tags = [], []
    db.executemany("INSERT INTO fts(rowid, name, email, company, phone) VALUES (?,?,?,?,?)", batch)
    db.executemany("INSERT INTO contact_tags VALUES (?,?)", tags)
db.execute("CREATE INDEX contact_tags_tag ON contact_tags(tag, contact_id)")
db.execute("INSERT INTO fts(fts) VALUES('optimize')")
db.commit()
db.execute("VACUUM")
load = time.perf_counter() - start
size = os.path.getsize(path)
print(f"sqlite {sqlite3.sqlite_version}: {rows} contacts loaded and indexed in {load:.1f} s; file {size} bytes = {size // max(rows, 1)} B/contact")

def text_query(q):
    if len(q.encode()) >= 3:
        return "SELECT rowid FROM fts WHERE fts MATCH ? LIMIT 50", ('"' + q.replace('"', '""') + '"',)
    like = f"%{q}%"
    return "SELECT rowid FROM fts WHERE name LIKE ? OR email LIKE ? OR company LIKE ? OR phone LIKE ? LIMIT 50", (like,) * 4

queries = ["ohn", "smit", "mül", "josé", "garc", "ann", "schm", "kumar", "tech", "gmail",
           "zzqx", "lee", "mar", "o'b", "ng", "nguyen", "anne-marie", "2530", "415", "capital"]
cases = [(q, *text_query(q)) for q in queries]
cases.append(("* TAGS ANY VIP,DNC,Prospect",
              "SELECT DISTINCT contact_id FROM contact_tags WHERE tag IN ('VIP','DNC','Prospect') ORDER BY contact_id LIMIT 50", ()))
cases.append(("smit TAGS NONE DNC",
              "SELECT rowid FROM fts WHERE fts MATCH '\"smit\"' AND rowid NOT IN (SELECT contact_id FROM contact_tags WHERE tag='DNC') LIMIT 50", ()))
cases.append(("* TAGS ANY VIP TAGS NONE DNC SORT name",
              "SELECT f.rowid FROM fts f JOIN contact_tags t ON t.contact_id=f.rowid AND t.tag='VIP' WHERE f.rowid NOT IN (SELECT contact_id FROM contact_tags WHERE tag='DNC') ORDER BY f.name LIMIT 50", ()))
print("query\thits\tp50 µs\tp99 µs")
for label, sql, params in cases:
    samples = []
    rounds = 20 if "SORT" in label else 300
    for _ in range(rounds):
        t = time.perf_counter()
        hits = len(db.execute(sql, params).fetchall())
        samples.append(time.perf_counter() - t)
    samples.sort()
    p50 = samples[len(samples) // 2] * 1e6
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1e6
    print(f"{label}\t{hits}\t{p50:.1f}\t{p99:.1f}")
