import ChunkedCollections
import Dispatch

extension TrigramIndex {
    /// Inserts many documents — a snapshot restore or an import — producing the same index as
    /// inserting them one by one, several times faster.
    ///
    /// One-by-one insertion touches ~90 posting lists scattered through memory per document and
    /// is bound by cache misses. Here documents are taken in batches of 16,384: their
    /// (key, slot) pairs are radix-sorted by key (stable, so slots keep their input order) and
    /// each list is then visited once per batch. Fastest when slots ascend and lie above the
    /// slots already indexed (then every posting is an append); documents already present are
    /// updated. When the call inserted at least half of the index it ends with
    /// ``shrinkToFit()``.
    ///
    /// - Complexity: O(*n* × *k*) for *n* documents of *k* keys, plus one dictionary lookup per
    ///   distinct key per batch. Transient memory: 16 bytes per pair of a batch (about 24 MB).
    public mutating func insert<Documents: Sequence>(contentsOf documents: Documents)
    where Documents.Element == (doc: UInt32, fields: [String]) {
        insert(contentsOf: documents, batchSize: 16_384)
    }

    mutating func insert<Documents: Sequence>(contentsOf documents: Documents, batchSize: Int)
    where Documents.Element == (doc: UInt32, fields: [String]) {
        var pairs: [UInt64] = []
        var scratch: [UInt64] = []
        var pending = 0
        var inserted = 0
        for (doc, fields) in documents {
            precondition(fields.count <= Self.maxFieldCount, "a TrigramIndex document has at most 4 fields")
            if texts.contains(doc) {
                update(doc, fields: fields)
                continue
            }
            for key in Self.keys(of: fields) {
                pairs.append(UInt64(key.rawValue) << 32 | UInt64(doc))
            }
            texts.set(doc, fields: fields)
            pending += 1
            inserted += 1
            if pending == batchSize {
                applyBatch(&pairs, scratch: &scratch)
                pending = 0
            }
        }
        applyBatch(&pairs, scratch: &scratch)
        if inserted >= count / 2 { shrinkToFit() }
    }

    /// Releases the spare capacity that growing arrays keep (up to half of what they hold).
    /// ``insert(contentsOf:)`` calls it after loading at least half of the index.
    ///
    /// - Complexity: O(bytes held): it may copy everything once.
    public mutating func shrinkToFit() {
        texts.shrinkToFit()
        for key in postings.keys {
            postings[key]?.shrinkToFit()
        }
    }

    private mutating func applyBatch(_ pairs: inout [UInt64], scratch: inout [UInt64]) {
        guard !pairs.isEmpty else { return }
        Self.radixSortByKey(&pairs, scratch: &scratch)
        // Runs of one key: (first pair, end, the key's shard).
        var runs: [(start: Int, end: Int, shard: Int)] = []
        var start = 0
        while start < pairs.count {
            let key = UInt32(truncatingIfNeeded: pairs[start] >> 32)
            var end = start + 1
            while end < pairs.count, UInt32(truncatingIfNeeded: pairs[end] >> 32) == key { end += 1 }
            runs.append((start, end, ShardedDictionary<UInt32, PostingList>.shardIndex(of: key)))
            start = end
        }
        if pairs.count < Self.parallelBatch {
            for run in runs {
                Self.insert(pairs[run.start..<run.end], into: &postings[UInt32(truncatingIfNeeded: pairs[run.start] >> 32), default: PostingList()])
            }
        } else {
            // Two threads, each filling the shards of one parity: no shard is touched by both.
            let sorted = pairs
            let runs = runs
            postings.withShards { shards in
                let owned = ShardsOfALoad(shards: shards)
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    for run in runs where run.shard & 1 == part {
                        let key = UInt32(truncatingIfNeeded: sorted[run.start] >> 32)
                        Self.insert(sorted[run.start..<run.end], into: &owned.shards[run.shard][key, default: PostingList()])
                    }
                }
            }
        }
        pairs.removeAll(keepingCapacity: true)
    }

    /// A batch of at least this many (key, slot) pairs fills the posting lists on two threads.
    static let parallelBatch = 65_536

    /// Sorts `pairs` by their upper 32 bits (keys use the low 28 of them), stably, in three
    /// 10-bit least-significant-digit passes.
    static func radixSortByKey(_ pairs: inout [UInt64], scratch: inout [UInt64]) {
        let radix = 1 << 10
        scratch = Array(repeating: 0, count: pairs.count)
        var counts = [Int](repeating: 0, count: radix)
        for pass in 0..<3 {
            let shift = UInt64(32 + pass * 10)
            for index in counts.indices { counts[index] = 0 }
            for pair in pairs { counts[Int((pair >> shift) & 0x3FF)] += 1 }
            var total = 0
            for index in counts.indices {
                let count = counts[index]
                counts[index] = total
                total += count
            }
            for pair in pairs {
                let digit = Int((pair >> shift) & 0x3FF)
                scratch[counts[digit]] = pair
                counts[digit] += 1
            }
            swap(&pairs, &scratch)
        }
    }

    private static func insert(_ pairs: ArraySlice<UInt64>, into list: inout PostingList) {
        for pair in pairs {
            list.insert(UInt32(truncatingIfNeeded: pair))
        }
    }
}

/// The shards of a bulk load, shared by its two threads: `@unchecked Sendable` because each
/// thread changes only the shards of its parity and `concurrentPerform` returns after both.
private struct ShardsOfALoad: @unchecked Sendable {
    let shards: UnsafeMutableBufferPointer<[UInt32: PostingList]>
}
