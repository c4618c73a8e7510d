import Testing
@testable import CallsheetStorage

/// Snapshot + journal together, as the store recovers them.
@Suite struct RecoveryTests {
    /// A crash between a snapshot and the journal clean-up it allows: before or after
    /// `removeSegments`, recovery applies exactly the records after the snapshot — no gap, no repeat.
    @Test(arguments: [false, true])
    func crashBetweenSnapshotAndJournalCleanup(cleanedUp: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, options: .init(segmentSize: 500), logger: testLogger)
            for i in 1...30 { _ = try await writer.appendDurably(type: 0, payload: payload(i, length: 40)) }
            try writeSnapshot(dir, sequence: 20, content: Array("state through 20".utf8))
            if cleanedUp { #expect(try !writer.removeSegments(coveredThrough: 20).isEmpty) }
            // kill -9: no close.
            let snapshot = try #require(try SnapshotReader.loadNewestValid(directory: dir))
            let (records, summary) = try replayAll(dir, after: snapshot.header.sequence)
            #expect(records.map(\.sequence) == Array(21...30))
            #expect(summary.lastSequence == 30)
            try writer.close()
        }
    }

    /// The newest snapshot is corrupt: recovery falls back to the older one and the longer journal.
    @Test func fallbackSnapshotReplaysTheLongerJournal() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 30, options: .init(segmentSize: 500), payloadLength: 40)
            try writeSnapshot(dir, sequence: 10, content: [10])
            let newest = try writeSnapshot(dir, sequence: 20, content: [20])
            let oldestKept = try #require(try SnapshotRetention.oldestKeptSequence(directory: dir))
            let writer = try JournalWriter(directory: dir, after: 30, options: .init(segmentSize: 500), logger: testLogger)
            try writer.removeSegments(coveredThrough: oldestKept)
            try writer.close()
            var bytes = try fileBytes(newest.path)
            bytes[40] ^= 0xFF
            try writeBytes(bytes, to: newest.path)
            let snapshot = try #require(try SnapshotReader.loadNewestValid(directory: dir))
            #expect(snapshot.header.sequence == 10 && snapshot.rejected.count == 1)
            #expect(try replayAll(dir, after: 10).0.map(\.sequence) == Array(11...30))
        }
    }
}
