import TestSupport
import Testing
import TextIndex

@Suite("PhoneSuffixIndex")
struct PhoneSuffixIndexTests {
    @Test("finds numbers by their last 4 to 12 digits")
    func lookups() throws {
        var index = PhoneSuffixIndex()
        index.insert(1, digits: "16502530000")
        index.insert(2, digits: "442079460018")
        index.insert(3, digits: "14155550000")
        index.insert(4, digits: "0000")
        index.insert(5, digits: "123")
        #expect(index.lookup(suffix: "0000") == [4, 1, 3])  // by reversed digits: …0000, …3520…, …5551…
        #expect(index.lookup(suffix: "2530000") == [1])
        #expect(index.lookup(suffix: "253-0000") == [1])
        #expect(index.lookup(suffix: "6502530000") == [1])
        #expect(index.lookup(suffix: "16502530000") == [1])
        #expect(index.lookup(suffix: "26502530000").isEmpty)
        #expect(index.lookup(suffix: "2079460018") == [2])
        #expect(index.lookup(suffix: "10000").isEmpty)
        #expect(index.lookup(suffix: "00000").isEmpty)
        #expect(index.lookup(suffix: "123").isEmpty)
        #expect(index.lookup(suffix: "0000", limit: 2) == [4, 1])
        #expect(index.count == 4)
        try index._checkInvariants()
    }

    @Test("agrees with hasSuffix under random inserts and removes")
    func randomModel() throws {
        var random = SplitMix64(seed: 11)
        var index = PhoneSuffixIndex()
        var model: [UInt32: String] = [:]
        func number() -> String {
            String((0..<Int.random(in: 4...15, using: &random)).map { _ in
                Character(String(Int.random(in: 0...2, using: &random)))
            })
        }
        for step in 0..<4_000 {
            let slot = UInt32.random(in: 0..<400, using: &random)
            if let old = model[slot], Bool.random(using: &random) {
                index.remove(slot, digits: old)
                model[slot] = nil
            } else if model[slot] == nil {
                let digits = number()
                index.insert(slot, digits: digits)
                model[slot] = digits
            }
            let suffix = String(number().suffix(Int.random(in: 4...12, using: &random)))
            let found = Set(index.lookup(suffix: suffix))
            let expected = Set(model.filter { $0.value.hasSuffix(suffix) }.keys)
            #expect(found == expected, "step \(step) suffix \(suffix)")
        }
        try index._checkInvariants()
        #expect(index.count == model.count)
    }
}
