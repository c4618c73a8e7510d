import Foundation
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
            #expect(report.journal?.records == 19, "every record but the damaged one is readable")
            #expect(report.journal?.lost.map { [$0.first, $0.last] } == [[11, 11]])
            #expect(!report.isHealthy)

            // --repair keeps every readable record, the nine after the damage included.
            let (records, summary) = try replayAll(dir, repair: true)
            #expect(records == written.filter { $0.sequence != 11 })
            #expect(summary.repair?.offset == Int64(offsets[10]))
            #expect(summary.repair?.recordsLost == 1)
            #expect(summary.repair?.recordsKeptAfterDamage == 9)
            #expect(summary.lastSequence == 20)
            #expect(summary.needsSnapshot)
            let aside = try #require(summary.repair?.movedAside.first)
            #expect(aside == path + ".corrupt")
            #expect(try fileBytes(aside) == Array(bytes[offsets[10]..<offsets[11]]), "only the unreadable bytes are set aside, byte for byte")
            #expect(try fileSize(path) == bytes.count - (offsets[11] - offsets[10]))
            // The hole in the sequence stays until a snapshot covers it (the store writes one at once).
            #expect(throws: StorageError.self) { _ = try replayAll(dir) }
            let (after, clean) = try replayAll(dir, after: 20)
            #expect(after.isEmpty && clean.lost.isEmpty && clean.skippedDamage.isEmpty)
            #expect(try await writeJournal(dir, count: 2, after: 20).map(\.sequence) == [21, 22])
        }
    }

    /// Damage the snapshot already covers costs nothing: replay resynchronises and starts.
    @Test func damageBelowTheSnapshotIsSkipped() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 20, payloadLength: 30)
            let path = try #require(try segmentPaths(dir).first)
            var bytes = try fileBytes(path)
            let offsets = recordOffsets(bytes)
            bytes[offsets[4] + 24 + 5] ^= 0x04  // record 5
            bytes[8] ^= 0x01  // and the segment header
            try writeBytes(bytes, to: path)
            let (records, summary) = try replayAll(dir, after: 10)
            #expect(records == Array(written.suffix(10)))
            #expect(summary.lost.isEmpty)
            #expect(summary.skippedDamage.map(\.offset) == [0, Int64(offsets[4])])
            #expect(try fileBytes(path) == bytes, "a start that loses nothing changes nothing")
            // Above the snapshot the same damage loses record 5, and only record 5.
            let error = #expect(throws: StorageError.self) { _ = try replayAll(dir) }
            #expect(error?.code == .journalCorrupt && error?.offset == Int64(offsets[4]))
            #expect(error?.message.contains("1 acknowledged record(s) cannot be read (sequences 5)") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("15 valid record(s) after the damage") == true, "\(error?.message ?? "")")
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

            let lostSequence = UInt64(recordOffsets(try fileBytes(paths[0])).count + recordOffsets(bytes).count)
            let (records, summary) = try replayAll(dir, repair: true)
            #expect(records == written.filter { $0.sequence != lostSequence }, "every later segment is kept")
            #expect(summary.lost.map(\.first) == [lostSequence])
            #expect(summary.repair?.movedAside == [paths[1] + ".corrupt"])
            #expect(try segmentPaths(dir) == paths)
        }
    }

    /// A segment copied under a later name: its header disagrees with the name, its records are
    /// duplicates. Nothing is lost: replay skips them, and the writer sets the file aside.
    @Test func duplicatedSegmentUnderALaterNameIsSkipped() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 5)
            let path = try #require(try segmentPaths(dir).first)
            let copy = JournalSegmentFile(directory: dir, firstSequence: 6).path
            try writeBytes(try fileBytes(path), to: copy)
            let (records, summary) = try replayAll(dir)
            #expect(records == written)
            #expect(summary.duplicatesSkipped == 5)
            #expect(summary.skippedDamage.first?.reason.contains("file name says 6") == true)
            #expect(try await writeJournal(dir, count: 1, after: 5).map(\.sequence) == [6])
            #expect(FileManager.default.fileExists(atPath: copy + ".superseded"))
        }
    }
}
