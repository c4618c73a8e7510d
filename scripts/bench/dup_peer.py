#!/usr/bin/env python3
"""The peer of DUP.SCAN (issue 13): the same labelled contacts through the Python
`recordlinkage` toolkit (0.16), configured as its documentation's deterministic example:
candidate pairs from a block on the email plus a sorted neighbourhood on the name (tokens
sorted, window 9); features: Jaro-Winkler name >= 0.9, exact email (lower case), Jaro-Winkler
company >= 0.95; a pair links when email counts twice plus name plus company reach 2 (the same
evidence DUP.SCAN weighs: an address alone, or a name with a company). Links are closed into
groups and scored as DupBench scores DUP.SCAN: pairs of contacts put in one group against the
ground truth. Usage: dup_peer.py DIR (DIR/contacts.csv from callsheet-dup-bench N SHARE DIR).
"""
import sys
import time

import pandas as pd
import recordlinkage
from recordlinkage.preprocessing import clean

path = sys.argv[1] + "/contacts.csv"
# Jaro-Winkler thresholds (name, company); the defaults gave the best F1 of those tried at 100,000
# (docs/BENCHMARKS.md, "Duplicates").
NAME = float(sys.argv[2]) if len(sys.argv) > 2 else 0.9
COMPANY = float(sys.argv[3]) if len(sys.argv) > 3 else 0.95
frame = pd.read_csv(path, dtype=str, keep_default_na=False)
start = time.time()
frame["name_clean"] = clean(frame["name"], strip_accents="unicode")
frame["name_key"] = frame["name_clean"].map(lambda text: " ".join(sorted(text.split())))
frame["email_clean"] = frame["email"].str.lower()
frame["company_clean"] = clean(frame["company"], strip_accents="unicode")

indexer = recordlinkage.Index()
indexer.add(recordlinkage.index.SortedNeighbourhood("name_key", window=9))
with_email = frame[frame["email_clean"] != ""]
pairs = indexer.index(frame)
email_pairs = recordlinkage.Index()
email_pairs.block("email_clean")
pairs = pairs.union(email_pairs.index(with_email))

compare = recordlinkage.Compare()
compare.string("name_clean", "name_clean", method="jarowinkler", threshold=NAME, label="name")
compare.exact("email_clean", "email_clean", label="email", missing_value=0)
compare.string("company_clean", "company_clean", method="jarowinkler", threshold=COMPANY, label="company")
features = compare.compute(pairs, frame)
# A missing email or company never agrees.
features.loc[frame.loc[features.index.get_level_values(0), "email_clean"].values == "", "email"] = 0
features.loc[frame.loc[features.index.get_level_values(0), "company_clean"].values == "", "company"] = 0
score = features["email"] * 2 + features["name"] + features["company"]
links = score[score >= 2].index
seconds = time.time() - start

parent = list(range(len(frame)))
def root(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
for a, b in links:
    ra, rb = root(a), root(b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)
groups = {}
for index in range(len(frame)):
    groups.setdefault(root(index), []).append(index)
person = frame["person"].tolist()
predicted = correct = 0
for members in groups.values():
    if len(members) < 2:
        continue
    predicted += len(members) * (len(members) - 1) // 2
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            if person[members[i]] == person[members[j]]:
                correct += 1
sizes = frame.groupby("person").size()
true_pairs = int((sizes * (sizes - 1) // 2).sum())
precision = correct / predicted if predicted else 1.0
recall = correct / true_pairs if true_pairs else 1.0
f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
print(f"recordlinkage {recordlinkage.__version__} (name >= {NAME}, company >= {COMPANY}): {seconds:.2f} s, {len(pairs)} candidate pairs, {len(links)} links; "
      f"pairs: {true_pairs} true, {predicted} predicted, {correct} correct; precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
