import CallsheetCore
import Testing

/// `SortedIDs` against a brute-force model (a `Set` and its sorted array) under seeded random
/// inserts and removes, with enough ids that blocks split, empty and merge; plus cursors,
/// iteration from every position, equality across different block cuts, and edge cases.
@Suite struct SortedIDsTests {
    struct SplitMix {
        var state: UInt64
        mutating func next(_ bound: UInt64) -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (z ^ (z >> 31)) % bound
        }
    }

    /// Everything a reader can ask, compared with the model.
    static func check(_ ids: SortedIDs, against model: Set<ContactID>, probes: [ContactID], _ what: String) {
        #expect(ids._checkInvariants() == [], "\(what): \(ids._checkInvariants().prefix(3))")
        let sorted = model.sorted()
        #expect(ids.count == model.count, "\(what): count")
        #expect(ids.isEmpty == model.isEmpty, "\(what): isEmpty")
        #expect(Array(ids) == sorted, "\(what): iteration")
        #expect(ids.first == sorted.first && ids.last == sorted.last, "\(what): first/last")
        for probe in probes {
            #expect(ids.contains(probe) == model.contains(probe), "\(what): contains \(probe)")
            let expected = sorted.filter { $0 > probe }
            #expect(Array(ids.ids(after: probe)) == expected, "\(what): ids after \(probe)")
            let position = ids.position(after: probe)
            #expect(ids.distance(from: ids.startIndex, to: position) == sorted.count - expected.count, "\(what): position after \(probe)")
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomInsertsAndRemovesAgreeWithASet(seed: UInt64) {
        var random = SplitMix(state: seed)
        var ids = SortedIDs()
        var model: Set<ContactID> = []
        // A range a few blocks wide, so inserts split blocks and removes empty and merge them.
        let range: UInt64 = seed.isMultiple(of: 2) ? 4_000 : 40_000
        for round in 1...30_000 {
            let id = 1 + random.next(range)
            // Phases: mostly inserts, then mostly removes, then mixed; and runs of appends.
            let insertShare: UInt64 = round < 12_000 ? 80 : round < 22_000 ? 25 : 50
            if random.next(100) < insertShare {
                let inserted = ids.insert(id)
                #expect(inserted == model.insert(id).inserted, "insert \(id)")
            } else {
                let removed = ids.remove(id)
                #expect(removed == (model.remove(id) != nil), "remove \(id)")
            }
            if round.isMultiple(of: 500) {
                let next = (model.max() ?? 0) + 1 + random.next(3)
                let appended = ids.insert(next)
                #expect(appended)
                model.insert(next)
            }
            if round.isMultiple(of: 3_000) {
                let probes = [0, 1, range / 2, range, range + 10, ContactID.max] + (0..<20).map { _ in random.next(range + 2) }
                Self.check(ids, against: model, probes: probes, "seed \(seed) round \(round)")
            }
        }
        Self.check(ids, against: model, probes: [0, range / 3], "seed \(seed) end")
        for id in model.shuffled() { ids.remove(id) }
        Self.check(ids, against: [], probes: [0, 1, .max], "seed \(seed) emptied")
    }

    @Test func appendsFillWholeBlocks() {
        var ids = SortedIDs()
        let total = SortedIDs.maximumBlockCount * 5 + 7
        for id in 1...ContactID(total) {
            let inserted = ids.insert(id)
            #expect(inserted)
        }
        #expect(ids._checkInvariants() == [])
        #expect(ids.count == total)
        let again = ids.insert(3), largestAgain = ids.insert(ContactID(total))
        #expect(!again, "an id already there")
        #expect(!largestAgain, "the largest id already there")
        Self.check(ids, against: Set(1...ContactID(total)), probes: [0, 512, 513, 1024, ContactID(total), .max], "appended")
    }

    @Test func equalityIgnoresHowBlocksAreCut() {
        let all = (1...3_000).map { ContactID($0 * 2) }
        let appended = SortedIDs(all)
        var scattered = SortedIDs()
        for id in all.reversed() { scattered.insert(id) }
        var churned = SortedIDs(all + (1...3_000).map { ContactID($0 * 2 + 1) })
        for id in 1...3_000 { churned.remove(ContactID(id * 2 + 1)) }
        #expect(appended == scattered)
        #expect(appended == churned)
        #expect(appended.hashValue == scattered.hashValue)
        #expect(scattered._checkInvariants() == [] && churned._checkInvariants() == [])
        churned.remove(2)
        #expect(appended != churned)
    }

    @Test func aCopyIsUnchangedByWritesToTheOriginal() {
        var ids = SortedIDs((1...5_000).map { ContactID($0 * 3) })
        let copy = ids
        for id in stride(from: 1, to: 15_000, by: 7) { ids.insert(ContactID(id)) }
        for id in stride(from: 3, to: 15_000, by: 9) { ids.remove(ContactID(id)) }
        #expect(Array(copy) == (1...5_000).map { ContactID($0 * 3) })
        #expect(copy._checkInvariants() == [] && ids._checkInvariants() == [])
    }

    @Test func edgeCases() {
        var ids: SortedIDs = []
        #expect(ids.isEmpty && ids.first == nil && ids.last == nil)
        #expect(ids.position(after: 0) == ids.endIndex)
        let removedMissing = ids.remove(1)
        #expect(!removedMissing && !ids.contains(1))
        #expect(Array(ids.ids(after: 0)).isEmpty)
        let insertedMax = ids.insert(.max), insertedZero = ids.insert(0)
        #expect(insertedMax && insertedZero)
        #expect(Array(ids) == [0, .max])
        #expect(Array(ids.ids(after: 0)) == [.max])
        #expect(Array(ids.ids(after: .max)).isEmpty)
        #expect(ids.position(after: .max) == ids.endIndex)
        let removedMax = ids.remove(.max), removedZero = ids.remove(0)
        #expect(removedMax && removedZero && ids.isEmpty)
        #expect(ids._checkInvariants() == [])
        let literal: SortedIDs = [5, 3, 5, 1]
        #expect(Array(literal) == [1, 3, 5] && literal.count == 3)
        #expect(Array(literal.reversed()) == [5, 3, 1])
    }
}
