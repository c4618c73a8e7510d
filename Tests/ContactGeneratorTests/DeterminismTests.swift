import ContactGenerator
import Foundation
import Testing

@Suite("Determinism")
struct DeterminismTests {
    @Test("the same seed writes the same bytes, through files and in memory")
    func sameSeedSameBytes() throws {
        try withTemporaryDirectory { directory in
            let first = try writeCSVFile(count: 3_000, seed: 42, in: directory, name: "a.csv")
            let second = try writeCSVFile(count: 3_000, seed: 42, in: directory, name: "b.csv")
            #expect(first == second)
            let document = ContactCSV.document(ContactGenerator.contacts(count: 3_000, seed: 42))
            #expect(first == Array(document.utf8))
        }
    }

    @Test("different seeds give different data")
    func differentSeedsDiffer() {
        let a = ContactGenerator.contacts(count: 500, seed: 1)
        let b = ContactGenerator.contacts(count: 500, seed: 2)
        #expect(a != b)
        let samePhones = zip(a, b).filter { $0.e164 == $1.e164 }.count
        #expect(samePhones == 0)
        let sameNames = zip(a, b).filter { $0.name == $1.name }.count
        #expect(sameNames < 25)
    }

    @Test("next() one by one equals contacts(count:) and the static form")
    func sequenceFormsAgree() {
        var generator = ContactGenerator(seed: 7)
        let oneByOne = (0..<200).map { _ in generator.next() }
        var batched = ContactGenerator(seed: 7)
        #expect(batched.contacts(count: 200) == oneByOne)
        #expect(ContactGenerator.contacts(count: 200, seed: 7) == oneByOne)
        #expect(ContactGenerator.contacts(count: 0, seed: 7).isEmpty)
        #expect(ContactGenerator.contacts(count: -3, seed: 7).isEmpty)
    }

    @Test("chunk size changes the chunks, never the bytes", arguments: [1, 100, 4_096, 1 << 20])
    func chunkingIsInvisible(chunkSize: Int) {
        var chunks: [[UInt8]] = []
        ContactCSV.write(count: 300, seed: 9, chunkSize: chunkSize) { chunks.append($0) }
        let expected = Array(ContactCSV.document(ContactGenerator.contacts(count: 300, seed: 9)).utf8)
        #expect(chunks.flatMap { $0 } == expected)
        if chunkSize == 1 {
            #expect(chunks.count == 300)  // one flush per row, the header riding with the first
        }
    }

    @Test("a negative count writes just the header")
    func negativeCount() {
        var bytes: [UInt8] = []
        ContactCSV.write(count: -5, seed: 1) { bytes += $0 }
        #expect(String(decoding: bytes, as: UTF8.self) == ContactCSV.header + "\r\n")
    }

    /// Pins the data set: the generator uses integer arithmetic and its own tables only, so
    /// these bytes must be identical on every platform and toolchain. If you change a word
    /// list or a draw on purpose, update the value and say so: saved benchmark inputs change too.
    @Test("seed 42 produces the pinned data set")
    func pinnedDataSet() {
        var bytes: [UInt8] = []
        ContactCSV.write(count: 1_000, seed: 42) { bytes += $0 }
        #expect(fnv1a(bytes) == 0x049c_943e_29ac_cb45)
    }
}
