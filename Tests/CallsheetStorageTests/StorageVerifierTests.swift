import Testing
@testable import CallsheetStorage

@Suite struct StorageVerifierTests {
    /// Every file's bytes, to prove verify changes nothing.
    func contents(_ dir: String) throws -> [String: [UInt8]] {
        var all: [String: [UInt8]] = [:]
        for name in try directoryNames(dir) { all[name] = try fileBytes(FileSystem.join(dir, name)) }
        return all
    }

    @Test func healthyDirectoryReport() async throws {
        try await withTemporaryDirectory { dir in
            try writeSnapshot(dir, sequence: 4, content: sampleContent(bytes: 5000))
            _ = try await writeJournal(dir, count: 12, options: .init(segmentSize: 300), payloadLength: 40)
            let report = try StorageVerifier.verify(path: dir)
            #expect(report.isHealthy)
            #expect(report.snapshots.map(\.sequence) == [4])
            #expect(report.snapshots.first?.header?.counts["contacts"] == 4)
            #expect(report.journal?.records == 12)
            #expect(report.journal?.firstSequence == 1 && report.journal?.lastSequence == 12)
            // 32 + 5 × 64 bytes crosses 300 after the fifth record: segments 1–5, 6–10, 11–12.
            #expect(report.journal?.segments.map { $0.firstSequence } == [1, 6, 11])
            #expect(report.journal?.tornTail == nil && report.journal?.corruption == nil)
            let text = report.description
            #expect(text.contains("OK"))
            #expect(text.contains("snapshot-00000000000000000004.zst  seq 4"))
            #expect(text.contains("journal: 3 segment(s), 12 record(s), seq 1–12"))
        }
    }

    @Test func damagedDirectoryReportChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            try writeSnapshot(dir, sequence: 2, content: sampleContent(bytes: 5000))
            let newest = try writeSnapshot(dir, sequence: 6, content: sampleContent(bytes: 5000, seed: 9))
            var snapshotBytes = try fileBytes(newest.path)
            snapshotBytes[snapshotBytes.count - 10] ^= 1
            try writeBytes(snapshotBytes, to: newest.path)
            _ = try await writeJournal(dir, count: 10, payloadLength: 20)
            let segment = try #require(try segmentPaths(dir).first)
            var journalBytes = try fileBytes(segment)
            let offsets = recordOffsets(journalBytes)
            journalBytes[offsets[3] + 1] ^= 0x80
            try writeBytes(journalBytes, to: segment)

            let before = try contents(dir)
            let report = try StorageVerifier.verify(path: dir)
            var after = try contents(dir)
            // The only new thing is the empty LOCK file of the shared lock verify holds while it reads.
            #expect(after.removeValue(forKey: DataDirectoryLock.fileName) == [])
            #expect(after == before, "verify is read-only")
            #expect(!report.isHealthy)
            #expect(report.snapshots.map(\.isValid) == [false, true])
            #expect(report.journal?.corruption?.offset == Int64(offsets[3]))
            #expect(report.journal?.corruption?.reason == "no record marker")
            #expect(report.journal?.records == 9, "the records after the damage are found again")
            #expect(report.journal?.lost.map { [$0.first, $0.last] } == [[4, 4]])
            #expect(report.description.contains("UNREADABLE record 4 at \(segment) offset \(offsets[3])"), "\(report.description)")
            #expect(report.description.contains("INVALID  snapshot-00000000000000000006.zst"))
        }
    }

    @Test func singleFiles() async throws {
        try await withTemporaryDirectory { dir in
            let file = try writeSnapshot(dir, sequence: 8, content: sampleContent(bytes: 3000))
            let snapshotReport = try StorageVerifier.verify(path: file.path)
            #expect(snapshotReport.snapshots.first?.isValid == true && snapshotReport.journal == nil)
            _ = try await writeJournal(dir, count: 5, payloadLength: 10)
            let segment = try #require(try segmentPaths(dir).first)
            // A segment copied off a machine under another name still verifies.
            let copy = FileSystem.join(dir, "rescued.bin")
            try writeBytes(try fileBytes(segment) + [1, 2, 3], to: copy)
            let journal = try #require(try StorageVerifier.verify(path: copy).journal)
            #expect(journal.records == 5)
            #expect(journal.tornTail?.offset == Int64(try fileSize(segment)))
            #expect(throws: StorageError.self) { _ = try StorageVerifier.verify(path: FileSystem.join(dir, "nope")) }
        }
    }

    @Test func restoreOntoANewDirectory() async throws {
        try await withTemporaryDirectory { dir in
            let content = sampleContent(bytes: 50_000)
            let source = try writeSnapshot(dir, sequence: 77, content: content)
            let rescued = FileSystem.join(dir, "copied-off-dead-machine.zst")
            try writeBytes(try fileBytes(source.path), to: rescued)
            let target = FileSystem.join(dir, "new")
            let header = try StorageVerifier.restore(snapshot: rescued, into: target)
            #expect(header.sequence == 77 && header.counts["organizations"] == 1)
            #expect(try directoryNames(target) == ["LOCK", "snapshot-00000000000000000077.zst"])
            let loaded = try #require(try SnapshotReader.loadNewestValid(directory: target))
            #expect(loaded.content == content)
            // The journal continues after the snapshot.
            _ = try await writeJournal(target, count: 2, after: header.sequence)
            #expect(try replayAll(target, after: 77).0.map(\.sequence) == [78, 79])

            let again = #expect(throws: StorageError.self) { try StorageVerifier.restore(snapshot: rescued, into: target) }
            #expect(again?.code == .directoryNotEmpty)
            var damaged = try fileBytes(rescued)
            damaged[damaged.count / 2] ^= 4
            try writeBytes(damaged, to: rescued)
            let bad = #expect(throws: StorageError.self) {
                try StorageVerifier.restore(snapshot: rescued, into: FileSystem.join(dir, "other"))
            }
            #expect(bad?.code == .snapshotCorrupt)
            #expect(!FileSystem.exists(FileSystem.join(dir, "other")), "nothing created from a bad snapshot")
        }
    }
}
