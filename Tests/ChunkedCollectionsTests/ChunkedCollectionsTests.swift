import ChunkedCollections
import TestSupport
import Testing

@Suite struct ShardedDictionaryTests {
    /// Random inserts, updates, removals and in-place changes against a `Dictionary`, with copies
    /// taken along the way that must keep the contents they had when taken.
    @Test(arguments: [UInt64(1), 2, 3])
    func behavesAsADictionaryAndCopiesStayPut(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var sharded = ShardedDictionary<Int, Int>()
        var model: [Int: Int] = [:]
        var copies: [(ShardedDictionary<Int, Int>, [Int: Int])] = []
        for step in 0..<20_000 {
            let key = Int.random(in: 0..<3_000, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: #expect(sharded.updateValue(step, forKey: key) == model.updateValue(step, forKey: key))
            case 1: #expect(sharded.removeValue(forKey: key) == model.removeValue(forKey: key))
            case 2:
                sharded[key, default: 0] += 1
                model[key, default: 0] += 1
            case 3:
                sharded[key] = nil
                model[key] = nil
            default: #expect(sharded[key] == model[key])
            }
            if step % 2_000 == 0 { copies.append((sharded, model)) }
        }
        #expect(sharded.count == model.count)
        #expect(Dictionary(uniqueKeysWithValues: sharded.map { ($0.key, $0.value) }) == model)
        #expect(Set(sharded.keys) == Set(model.keys))
        #expect(sharded.values.reduce(0, +) == model.values.reduce(0, +))
        for (copy, expected) in copies {
            #expect(Dictionary(uniqueKeysWithValues: copy.map { ($0.key, $0.value) }) == expected)
        }
    }

    @Test func emptyHoldsNoShards() {
        var dictionary = ShardedDictionary<String, Int>()
        #expect(dictionary.isEmpty && dictionary.count == 0 && dictionary.capacity == 0)
        #expect(dictionary["a"] == nil && dictionary.removeValue(forKey: "a") == nil)
        dictionary["a"] = 1
        #expect(!dictionary.isEmpty && dictionary.count == 1 && dictionary["a"] == 1)
        dictionary.reserveCapacity(10_000)
        #expect(dictionary.capacity >= 10_000 && dictionary.count == 1)
    }
}

@Suite struct ShardedDictionarySplitTests {
    /// A small dictionary is one shard; past the threshold it splits into every shard, keeping
    /// its contents, and copies taken before, at and after the split keep theirs.
    @Test func splitsOnceKeepingContentsAndCopies() {
        var sharded = ShardedDictionary<Int, Int>()
        var model: [Int: Int] = [:]
        var copies: [(ShardedDictionary<Int, Int>, [Int: Int])] = []
        let threshold = ShardedDictionary<Int, Int>.splitThreshold
        for key in 0..<(threshold * 3) {
            sharded[key] = key * 2
            model[key] = key * 2
            if key == 10 || key == threshold || key == threshold + 1 { copies.append((sharded, model)) }
            if key < threshold { #expect(sharded._occupiedShards <= 1) }
        }
        #expect(sharded._occupiedShards > ShardedDictionary<Int, Int>.shardCount / 2)
        #expect(sharded.count == model.count)
        #expect(Dictionary(uniqueKeysWithValues: sharded.map { ($0.key, $0.value) }) == model)
        for (copy, expected) in copies {
            #expect(Dictionary(uniqueKeysWithValues: copy.map { ($0.key, $0.value) }) == expected)
        }
        for key in stride(from: 0, to: threshold * 3, by: 7) { #expect(sharded.removeValue(forKey: key) == key * 2) }
        #expect(sharded[7] == nil && sharded[8] == 16)
    }
}

@Suite struct ChunkedArrayTests {
    @Test func behavesAsAnArrayAndCopiesStayPut() {
        var random = SplitMix64(seed: 9)
        var chunked = ChunkedArray<Int>()
        var model: [Int] = []
        var copies: [(ChunkedArray<Int>, [Int])] = []
        for step in 0..<10_000 {
            if model.isEmpty || Int.random(in: 0..<3, using: &random) == 0 {
                chunked.append(step)
                model.append(step)
            } else {
                let position = Int.random(in: 0..<model.count, using: &random)
                chunked[position] += 7
                model[position] += 7
            }
            if step % 1_500 == 0 { copies.append((chunked, model)) }
        }
        #expect(Array(chunked) == model)
        #expect(chunked.count == model.count)
        for (copy, expected) in copies { #expect(Array(copy) == expected) }
        chunked.append(repeating: -1, count: 3_000)
        #expect(chunked.count == model.count + 3_000 && chunked.last == -1)
        #expect(Array(ChunkedArray(repeating: 5, count: 2_049)) == Array(repeating: 5, count: 2_049))
        chunked.removeAll()
        #expect(chunked.isEmpty)
    }

    /// A full chunk holds exactly a chunk's worth; a short array only what it needs.
    @Test func memoryFollowsTheElements() {
        var small = ChunkedArray<UInt64>()
        for value in 0..<3 { small.append(UInt64(value)) }
        #expect(small.memoryFootprint < 200)
        var large = ChunkedArray<UInt64>()
        for value in 0..<(ChunkedArray<UInt64>.chunkCapacity * 4) { large.append(UInt64(value)) }
        #expect(large.memoryFootprint <= ChunkedArray<UInt64>.chunkCapacity * 4 * 8 * 9 / 8 + 1_000)
    }
}
