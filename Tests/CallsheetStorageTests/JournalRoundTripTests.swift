import Testing
@testable import CallsheetStorage

@Suite struct JournalRoundTripTests {
    @Test func recordsComeBackInOrder() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(dir, count: 200)
            #expect(written.map(\.sequence) == Array(1...200))
            let (records, summary) = try replayAll(dir)
            #expect(records == written)
            #expect(summary.recordsApplied == 200)
            #expect(summary.lastSequence == 200)
            #expect(summary.tornTail == nil && summary.repair == nil)
        }
    }

    @Test func emptyAndLargePayloads() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, logger: testLogger)
            let big = payload(9, length: 3 << 20)
            let a = try await writer.appendDurably(type: 1, payload: [])
            let b = try await writer.appendDurably(type: 65535, payload: big)
            try writer.close()
            let (records, _) = try replayAll(dir)
            #expect(records == [
                JournalRecord(type: 1, sequence: a, payload: []), JournalRecord(type: 65535, sequence: b, payload: big),
            ])
        }
    }

    @Test func replayAfterSkipsCoveredRecordsAndWriterContinues() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 30)
            let (records, summary) = try replayAll(dir, after: 20)
            #expect(records.map(\.sequence) == Array(21...30))
            #expect(summary.lastSequence == 30)
            let more = try await writeJournal(dir, count: 5, after: summary.lastSequence)
            #expect(more.map(\.sequence) == Array(31...35))
            #expect(try replayAll(dir).0.map(\.sequence) == Array(1...35))
            #expect(try segmentPaths(dir).count == 2)
        }
    }

    @Test func writerRefusesToStartBehindTheJournal() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 10)
            let error = #expect(throws: StorageError.self) {
                _ = try JournalWriter(directory: dir, after: 5, logger: testLogger)
            }
            #expect(error?.code == .journalAhead)
        }
    }

    @Test func gapBetweenSnapshotAndJournalIsAnError() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 10, after: 50)
            let error = #expect(throws: StorageError.self) { _ = try replayAll(dir, after: 40) }
            #expect(error?.code == .journalGap)
            #expect(try replayAll(dir, after: 50).0.count == 10)
        }
    }

    @Test func appendAfterCloseThrowsClosed() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, logger: testLogger)
            try writer.close()
            let error = #expect(throws: StorageError.self) { _ = try writer.append(type: 1, payload: [1]) }
            #expect(error?.code == .closed)
        }
    }

    @Test(arguments: [FsyncPolicy.everysec, .no])
    func otherPoliciesRoundTrip(policy: FsyncPolicy) async throws {
        try await withTemporaryDirectory { dir in
            let written = try await writeJournal(
                dir, count: 50, options: .init(fsyncPolicy: policy, everysecInterval: .milliseconds(20)))
            #expect(try replayAll(dir).0 == written)
        }
    }
}

@Suite struct JournalSupersededTests {
    /// Under `everysec` a crash can leave a snapshot ahead of the journal: the writer drops the
    /// superseded segments so the journal has no gap, and replay after the snapshot works.
    @Test func journalBehindTheSnapshotIsSuperseded() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 5)
            _ = try await writeJournal(dir, count: 3, after: 8)
            #expect(try JournalSegmentFile.list(in: dir).map(\.firstSequence) == [9])
            let (records, summary) = try replayAll(dir, after: 8)
            #expect(records.map(\.sequence) == [9, 10, 11])
            #expect(summary.lastSequence == 11)
        }
    }
}
