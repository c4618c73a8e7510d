import TestSupport
import Testing
@testable import TextIndex

@Suite("TrigramIndex against a brute-force model")
struct TrigramIndexModelTests {
    @Test("random inserts, updates, removes and queries agree with the model", arguments: [1, 2, 3, 4] as [UInt64])
    func randomOperations(seed: UInt64) throws {
        var generator = DocumentGenerator(random: SplitMix64(seed: seed))
        var index = TrigramIndex()
        var model = TrigramIndexModel()
        let slotRange: ClosedRange<UInt32> = 0...(seed.isMultiple(of: 2) ? 60 : 1_500)
        for step in 0..<2_500 {
            let slot = UInt32.random(in: slotRange, using: &generator.random)
            switch Int.random(in: 0..<10, using: &generator.random) {
            case 0..<4:
                let fields = generator.fields()
                index.insert(slot, fields: fields)
                model.documents[slot] = fields
            case 4..<6:
                let fields = generator.fields()
                index.update(slot, fields: fields)
                model.documents[slot] = fields
            case 6:
                index.remove(slot)
                model.documents[slot] = nil
            default:
                let query = generator.query(from: model.documents)
                let limit = [1, 3, 10, 50, 1_000].randomElement(using: &generator.random)!
                let found = index.search(query, limit: limit)
                let expected = model.search(query, limit: limit)
                #expect(found == expected, "step \(step): query \(query.debugDescription) limit \(limit)")
            }
            #expect(index.count == model.documents.count)
            if step % 250 == 0 { try index._checkInvariants() }
        }
        try index._checkInvariants()
        for (slot, fields) in model.documents {
            #expect(index.fields(of: slot) == fields)
        }
    }

    @Test("removing every document leaves no posting lists")
    func removeAll() throws {
        var generator = DocumentGenerator(random: SplitMix64(seed: 99))
        var index = TrigramIndex()
        for slot in UInt32(0)..<800 { index.insert(slot, fields: generator.fields()) }
        try index._checkInvariants()
        for slot in (UInt32(0)..<800).shuffled(using: &generator.random) { index.remove(slot) }
        try index._checkInvariants()
        #expect(index.count == 0)
        #expect(index.postings.isEmpty)
        #expect(index.search("ann", limit: 10).isEmpty)
    }

    @Test("dense lists split segments when filled in the middle and shrink when emptied")
    func postingListSegments() throws {
        var random = SplitMix64(seed: 8)
        var list = PostingList()
        for slot in stride(from: UInt32(0), to: 60_000, by: 2) { list.insert(slot) }
        try list._checkInvariants()
        #expect(list.segments.count > 4)
        let odd = Array(stride(from: UInt32(1), to: 60_000, by: 2)).shuffled(using: &random)
        for slot in odd {
            let inserted = list.insert(slot)
            #expect(inserted)
        }
        try list._checkInvariants()
        #expect(list.decodedSlots() == Array(0..<60_000))
        #expect(list.segments.allSatisfy { $0.count <= 2 * PostingList.segmentLimit })
        for slot in (UInt32(0)..<60_000).shuffled(using: &random) where slot % 7 != 0 {
            let removed = list.remove(slot)
            #expect(removed)
        }
        try list._checkInvariants()
        #expect(list.decodedSlots() == Array(stride(from: 0, to: 60_000, by: 7)))
        let removedAbsent = list.remove(59_998)
        #expect(removedAbsent == false)
        #expect(list.last == 59_997 - 59_997 % 7)  // 59_997 is a multiple of 7
    }

    @Test("posting lists agree with a set under random inserts and removes")
    func postingList() {
        var random = SplitMix64(seed: 7)
        var list = PostingList()
        var model = Set<UInt32>()
        for step in 0..<20_000 {
            let slot = UInt32.random(in: 0...(step < 10_000 ? 5_000 : 1_000_000), using: &random)
            if Int.random(in: 0..<3, using: &random) == 0 {
                let removed = list.remove(slot)
                #expect(removed == (model.remove(slot) != nil))
            } else {
                let inserted = list.insert(slot)
                #expect(inserted == model.insert(slot).inserted)
            }
        }
        #expect(list.decodedSlots() == model.sorted())
        #expect(Int(list.count) == model.count)
        #expect(throws: Never.self) { try list._checkInvariants() }
        var cursor = PostingCursor(list)
        let sorted = model.sorted()
        for target in stride(from: UInt32(0), to: 1_000_100, by: 977) {
            let expected = sorted.first { $0 >= target }
            #expect(cursor.seek(atLeast: target) == expected)
        }
    }
}

@Suite("TrigramIndex bulk insertion")
struct TrigramIndexBulkTests {
    @Test("inserting in bulk builds the same index as inserting one by one")
    func sameAsOneByOne() throws {
        var generator = DocumentGenerator(random: SplitMix64(seed: 21))
        var documents: [(doc: UInt32, fields: [String])] = []
        for slot in UInt32(0)..<6_000 where slot % 3 != 1 {
            documents.append((slot, generator.fields()))
        }
        // A few out of order, and one repeated (an update), after the ascending run.
        documents.append((1, generator.fields()))
        documents.append((7, generator.fields()))
        documents.append((0, generator.fields()))
        var bulk = TrigramIndex()
        bulk.insert(contentsOf: documents, batchSize: 1_000)
        var single = TrigramIndex()
        for (doc, fields) in documents { single.insert(doc, fields: fields) }
        try bulk._checkInvariants()
        #expect(bulk.count == single.count)
        #expect(bulk.postings.count == single.postings.count)
        for (key, list) in single.postings {
            #expect(bulk.postings[key]?.decodedSlots() == list.decodedSlots())
        }
        for query in ["ann", "jo", "smi", "x", "0123", "東"] {
            #expect(bulk.search(query, limit: 100) == single.search(query, limit: 100))
        }
    }
}
