import TestSupport
import Testing
@testable import TextIndex

/// The index images a snapshot stores (``IndexImage``): what is read back is the index that was
/// written, keeps working under later writes, and damaged bytes throw instead of trapping.
@Suite struct IndexImageTests {
    static func image(of index: TrigramIndex, pieceSize: Int = .max) -> (bytes: [UInt8], pieces: Int) {
        var bytes: [UInt8] = []
        var output: [UInt8] = []
        var pieces = 0
        index.writeImage(into: &output, pieceSize: pieceSize) { piece in
            bytes += piece
            piece.removeAll()
            pieces += 1
        }
        return (bytes + output, pieces)
    }

    static func read(_ bytes: [UInt8], limit: Int) throws(TextIndexError) -> TrigramIndex {
        try bytes.withUnsafeBufferPointer { buffer throws(TextIndexError) in
            var offset = 0
            let index = try TrigramIndex(image: buffer, offset: &offset, documentLimit: limit)
            guard offset == buffer.count else { throw TextIndexError(code: .imageDamaged, message: "\(buffer.count - offset) bytes left") }
            return index
        }
    }

    /// An index with removals, updates in the middle of lists, and (`plain` documents of one
    /// short name after them) lists of several segments.
    static func sampleIndex(seed: UInt64, documents: Int, plain: Int = 0) -> (TrigramIndex, TrigramIndexModel, DocumentGenerator) {
        var generator = DocumentGenerator(random: SplitMix64(seed: seed))
        var index = TrigramIndex()
        var model = TrigramIndexModel()
        for slot in UInt32(0)..<UInt32(documents) {
            let fields = generator.fields()
            index.insert(slot, fields: fields)
            model.documents[slot] = fields
        }
        for _ in 0..<(documents / 4) {
            let slot = UInt32.random(in: 0..<UInt32(documents), using: &generator.random)
            if Bool.random(using: &generator.random) {
                index.remove(slot)
                model.documents[slot] = nil
            } else {
                let fields = generator.fields()
                index.update(slot, fields: fields)
                model.documents[slot] = fields
            }
        }
        for slot in UInt32(documents)..<UInt32(documents + plain) {
            index.insert(slot, fields: ["ann"])
            model.documents[slot] = ["ann"]
        }
        return (index, model, generator)
    }

    @Test(arguments: [1, 2] as [UInt64])
    func whatIsReadIsWhatWasWrittenAndKeepsWorking(seed: UInt64) throws {
        var (index, model, generator) = Self.sampleIndex(seed: seed, documents: 1_000, plain: 5_000)
        let stats = index.postingStatistics
        #expect(index.postings.values.contains { $0.segments.count > 1 }, "some list spans segments: \(stats)")
        let (bytes, pieces) = Self.image(of: index, pieceSize: 4_096)
        #expect(pieces > 10)
        #expect(Self.image(of: index).bytes == bytes, "pieces join to the whole image")

        var loaded = try Self.read(bytes, limit: 6_000)
        try loaded._checkInvariants()
        #expect(try loaded.checkPostingsAgainstTexts() == stats.postings)
        // The constant-memory check (what verify runs) finds a missing posting and an extra one.
        var missing = loaded
        let (key, list) = try #require(missing.postings.first { $0.value.count > 3 })
        let slot = list.decodedSlots()[2]
        missing.postings[key]?.remove(slot)
        #expect(throws: TextIndexError.self) { try missing.checkPostingsAgainstTexts() }
        var extra = loaded
        extra.postings[key]?.insert(5_999)
        if !list.decodedSlots().contains(5_999) {
            #expect(throws: TextIndexError.self) { try extra.checkPostingsAgainstTexts() }
        }
        #expect(Self.image(of: loaded).bytes == bytes, "the same index writes the same image")
        #expect(loaded.count == index.count)
        for query in ["ann", "acme", "253", "an", "e", "zzz"] {
            #expect(loaded.search(query, limit: 100) == index.search(query, limit: 100), "\(query)")
        }
        // Appends, inserts in the middle of loaded lists, updates and removals.
        for step in 0..<900 {
            let slot = UInt32.random(in: 0..<7_000, using: &generator.random)
            switch step % 3 {
            case 0:
                let fields = generator.fields()
                loaded.insert(slot, fields: fields)
                index.insert(slot, fields: fields)
                model.documents[slot] = fields
            case 1:
                loaded.remove(slot)
                index.remove(slot)
                model.documents[slot] = nil
            default:
                let query = generator.query(from: model.documents)
                #expect(loaded.search(query, limit: 50) == model.search(query, limit: 50), "step \(step): \(query)")
            }
        }
        try loaded._checkInvariants()
        #expect(Self.image(of: loaded).bytes == Self.image(of: index).bytes)
    }

    @Test func anEmptyIndexRoundTrips() throws {
        let bytes = Self.image(of: TrigramIndex()).bytes
        #expect(try Self.read(bytes, limit: 0).count == 0)
    }

    @Test func aSlotAtOrAboveTheLimitIsRefused() throws {
        var index = TrigramIndex()
        index.insert(0, fields: ["ann"])
        index.insert(41, fields: ["bob"])
        let bytes = Self.image(of: index).bytes
        #expect(try Self.read(bytes, limit: 42).count == 2)
        let error = #expect(throws: TextIndexError.self) { try Self.read(bytes, limit: 41) }
        #expect(error?.code == .imageDamaged)
    }

    /// Every truncation throws; every single-byte change throws or reads as an index that can be
    /// searched and emptied without trapping.
    @Test func damagedImagesThrowOrStaySafe() throws {
        let (index, _, _) = Self.sampleIndex(seed: 5, documents: 12)
        let bytes = Self.image(of: index).bytes
        for length in Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 500))) + [bytes.count - 1] {
            #expect(throws: TextIndexError.self, "cut at \(length)") { try Self.read(Array(bytes[..<length]), limit: 40) }
        }
        var readable = 0
        var random = SplitMix64(seed: 6)
        for _ in 0..<3_000 {
            let position = Int.random(in: bytes.indices, using: &random)
            for change in [[UInt8(0x01), 0x80, 0xFF].randomElement(using: &random)!] {
                var damaged = bytes
                damaged[position] ^= change
                guard var loaded = try? Self.read(damaged, limit: 40) else { continue }
                readable += 1
                _ = loaded.search("an", limit: 50)
                _ = loaded.search("acme", limit: 50)
                for slot in UInt32(0)..<40 { loaded.remove(slot) }
                loaded.insert(3, fields: ["after damage"])
            }
        }
        #expect(readable > 0, "some changes (text bytes) still read")
    }

    @Test func phoneSuffixImageRoundTripsAndRefusesDamage() throws {
        var suffixes = PhoneSuffixIndex()
        for slot in UInt32(0)..<500 {
            let last = String(slot * 7 % 10_000)
            suffixes.insert(slot, digits: "1650253" + String(repeating: "0", count: 4 - last.count) + last)
        }
        suffixes.insert(7, digits: "442079460958")
        var bytes: [UInt8] = []
        var pieces = 0
        suffixes.writeImage(into: &bytes, pieceSize: 256) { _ in pieces += 1 }
        bytes = []
        suffixes.writeImage(into: &bytes, pieceSize: .max) { _ in }
        #expect(pieces > 1)
        func read(_ bytes: [UInt8], limit: Int) throws(TextIndexError) -> PhoneSuffixIndex {
            try bytes.withUnsafeBufferPointer { buffer throws(TextIndexError) in
                var offset = 0
                return try PhoneSuffixIndex(image: buffer, offset: &offset, documentLimit: limit)
            }
        }
        let loaded = try read(bytes, limit: 500)
        try loaded._checkInvariants()
        #expect(loaded.count == suffixes.count)
        #expect(loaded.lookup(suffix: "2530007") == suffixes.lookup(suffix: "2530007"))
        #expect(loaded.lookup(suffix: "9460958") == [7])
        #expect(throws: TextIndexError.self) { try read(bytes, limit: 499) }
        for length in 0..<bytes.count {
            #expect(throws: TextIndexError.self, "cut at \(length)") { try read(Array(bytes[..<length]), limit: 500) }
        }
    }
}
