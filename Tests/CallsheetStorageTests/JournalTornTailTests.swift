import Testing
@testable import CallsheetStorage

@Suite struct JournalTornTailTests {
    /// Cuts the last segment at every byte inside its final record: each time the records before
    /// it load, the partial one is cut off at its start, and the cut is reported with that offset.
    @Test func lastRecordTruncatedAtEveryByte() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 10, payloadLength: 40)
            let path = try #require(try segmentPaths(dir).last)
            let pristine = try fileBytes(path)
            let lastStart = try #require(recordOffsets(pristine).last)
            #expect(pristine.count - lastStart == 24 + 40)
            for cut in lastStart..<pristine.count {
                try writeBytes(Array(pristine[..<cut]), to: path)
                let (records, summary) = try replayAll(dir)
                #expect(records == Array(written.dropLast()), "cut at \(cut)")
                #expect(summary.lastSequence == 9)
                if cut == lastStart {
                    #expect(summary.tornTail == nil, "a clean cut between records is not torn")
                } else {
                    #expect(summary.tornTail?.offset == Int64(lastStart), "cut at \(cut)")
                    #expect(summary.tornTail?.file == path)
                }
                #expect(try fileSize(path) == lastStart)
            }
        }
    }

    @Test func badChecksumOnLastRecordIsTorn() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 5, payloadLength: 16)
            let path = try #require(try segmentPaths(dir).last)
            var bytes = try fileBytes(path)
            let lastStart = try #require(recordOffsets(bytes).last)
            bytes[bytes.count - 3] ^= 0x10
            try writeBytes(bytes, to: path)
            let (records, summary) = try replayAll(dir)
            #expect(records == Array(written.prefix(4)))
            #expect(summary.tornTail?.offset == Int64(lastStart))
            #expect(summary.tornTail?.reason == "record checksum mismatch")
        }
    }

    @Test(arguments: [1, 23, 24, 4096])
    func zeroFilledTailIsTornNotCorrupt(zeros: Int) async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 8)
            let path = try #require(try segmentPaths(dir).last)
            let bytes = try fileBytes(path)
            try writeBytes(bytes + [UInt8](repeating: 0, count: zeros), to: path)
            let report = try StorageVerifier.verify(path: dir)
            #expect(report.journal?.tornTail?.reason == "zero-filled tail")
            #expect(report.journal?.corruption == nil)
            let (records, summary) = try replayAll(dir)
            #expect(records == written)
            #expect(summary.tornTail?.offset == Int64(bytes.count))
            #expect(summary.tornTail?.reason == "zero-filled tail")
            #expect(try fileSize(path) == bytes.count)
        }
    }

    /// Power loss: the last record's pages came back as zeros.
    @Test func lastRecordZeroedIsTorn() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 6, payloadLength: 100)
            let path = try #require(try segmentPaths(dir).last)
            var bytes = try fileBytes(path)
            let lastStart = try #require(recordOffsets(bytes).last)
            for i in lastStart..<bytes.count { bytes[i] = 0 }
            try writeBytes(bytes + [UInt8](repeating: 0, count: 500), to: path)
            let (records, summary) = try replayAll(dir)
            #expect(records == Array(written.dropLast()))
            #expect(summary.tornTail?.offset == Int64(lastStart))
        }
    }

    /// A crash right after creating a segment leaves a partial header: the whole file is the tail.
    @Test func partialSegmentHeaderIsRemoved() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 3)
            let extra = JournalSegmentFile(directory: dir, firstSequence: 4).path
            try writeBytes(Array("CSJRN".utf8), to: extra)
            let (records, summary) = try replayAll(dir)
            #expect(records == written)
            #expect(summary.tornTail?.file == extra)
            #expect(summary.tornTail?.offset == 0)
            #expect(try segmentPaths(dir).count == 1)
            // and a writer continues cleanly after it
            #expect(try await writeJournal(dir, count: 1, after: 3).first?.sequence == 4)
        }
    }
}
