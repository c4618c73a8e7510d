import Testing
@testable import CallsheetStorage

@Suite struct JournalCorruptionTests {
    @Test func flippedBitMidJournalNamesFileAndOffset() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 20, payloadLength: 30)
            let path = try #require(try segmentPaths(dir).first)
            var bytes = try fileBytes(path)
            let offsets = recordOffsets(bytes)
            bytes[offsets[10] + 24 + 5] ^= 0x04  // a payload bit of record 11
            try writeBytes(bytes, to: path)
            var applied = 0
            let error = #expect(throws: StorageError.self) {
                _ = try JournalReader.replay(directory: dir) { _ in applied += 1 }
            }
            #expect(error?.code == .journalCorrupt)
            #expect(error?.path == path)
            #expect(error?.offset == Int64(offsets[10]))
            #expect(applied == 0, "nothing is applied from a corrupt journal")
            #expect(try fileBytes(path) == bytes, "refusing changes nothing")

            let report = try StorageVerifier.verify(path: dir)
            #expect(report.journal?.corruption?.offset == Int64(offsets[10]))
            #expect(report.journal?.records == 10)
            #expect(!report.isHealthy)

            let (records, summary) = try replayAll(dir, repair: true)
            #expect(records == Array(written.prefix(10)))
            #expect(summary.repair?.offset == Int64(offsets[10]))
            #expect(summary.lastSequence == 10)
            let aside = try #require(summary.repair?.movedAside.first)
            #expect(aside == path + ".corrupt")
            #expect(try fileBytes(aside) == Array(bytes[offsets[10]...]), "the cut tail is kept aside, byte for byte")
            #expect(try fileSize(path) == offsets[10])
            // repaired: clean from now on, and a writer continues after the kept prefix
            #expect(try replayAll(dir).1.repair == nil)
            #expect(try await writeJournal(dir, count: 2, after: 10).map(\.sequence) == [11, 12])
        }
    }

    @Test func damagedLastRecordOfEarlierSegmentIsCorruption() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 40, options: .init(segmentSize: 400), payloadLength: 20)
            let paths = try segmentPaths(dir)
            #expect(paths.count > 3)
            var bytes = try fileBytes(paths[1])
            let last = try #require(recordOffsets(bytes).last)
            bytes.removeLast(5)  // looks torn within the file, but later segments hold records
            try writeBytes(bytes, to: paths[1])
            let error = #expect(throws: StorageError.self) { _ = try replayAll(dir) }
            #expect(error?.code == .journalCorrupt)
            #expect(error?.path == paths[1] && error?.offset == Int64(last))

            let (records, summary) = try replayAll(dir, repair: true)
            let kept = written.prefix(records.count)
            #expect(records == Array(kept))
            #expect(summary.repair?.movedAside.count == paths.count - 1)
            #expect(try segmentPaths(dir) == Array(paths.prefix(2)))
        }
    }

    @Test func segmentWithMisnumberedRecordsIsCorruption() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 5)
            let path = try #require(try segmentPaths(dir).first)
            // The same file under a later name: its header disagrees with the name.
            try writeBytes(try fileBytes(path), to: JournalSegmentFile(directory: dir, firstSequence: 6).path)
            let error = #expect(throws: StorageError.self) { _ = try replayAll(dir) }
            #expect(error?.code == .journalCorrupt)
        }
    }
}
