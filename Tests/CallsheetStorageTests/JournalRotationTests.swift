import Testing
@testable import CallsheetStorage

@Suite struct JournalRotationTests {
    @Test func segmentsRotateAtTheSizeThresholdAndSortBySequence() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 100, options: .init(segmentSize: 1000), payloadLength: 76)
            let segments = try JournalSegmentFile.list(in: dir)
            // 32-byte header + 100-byte records: the threshold is crossed after 10 records.
            #expect(segments.count == 10)
            #expect(segments.map(\.firstSequence) == stride(from: 1, to: 101, by: 10).map { UInt64($0) })
            #expect(try directoryNames(dir) == segments.map { FileSystem.fileName($0.path) })
            for segment in segments { #expect(try fileSize(segment.path) <= 1000 + 100) }
            #expect(try replayAll(dir).0 == written)
        }
    }

    @Test func removeSegmentsDeletesOnlyFullyCoveredOnes() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(
                directory: dir, after: 0, options: .init(segmentSize: 1000), logger: testLogger)
            for i in 0..<95 { _ = try await writer.appendDurably(type: 0, payload: payload(i, length: 76)) }
            // segments start at 1, 11, …, 91; records 91–95 are in the active one.
            #expect(try writer.removeSegments(coveredThrough: 25).count == 2)  // 1–10, 11–20
            #expect(try JournalSegmentFile.list(in: dir).first?.firstSequence == 21)
            #expect(try writer.removeSegments(coveredThrough: 29).isEmpty, "21–30 is not fully covered")
            #expect(try writer.removeSegments(coveredThrough: 1000).count == 7, "never the active segment")
            #expect(try JournalSegmentFile.list(in: dir).map(\.firstSequence) == [91])
            _ = try await writer.appendDurably(type: 0, payload: [1])
            try writer.close()
            let (records, summary) = try replayAll(dir, after: 90)
            #expect(records.map(\.sequence) == Array(91...96))
            #expect(summary.lastSequence == 96)
        }
    }
}
