import Foundation
import Testing
@testable import CallsheetStorage

/// JSON-like content: compressible but not trivially so.
func sampleContent(bytes: Int, seed: Int = 1) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes + 200)
    var i = seed
    while out.count < bytes {
        let line = "{\"id\":\(i),\"name\":\"Contact \(i &* 7919 % 100_003)\",\"phone\":\"+1555\(String(i &* 31 % 10_000_000))\",\"tags\":[\"t\(i % 13)\",\"t\(i % 7)\"]}\n"
        out.append(contentsOf: line.utf8)
        i += 1
    }
    return Array(out.prefix(bytes))
}

@discardableResult
func writeSnapshot(
    _ dir: String, sequence: UInt64, content: [UInt8], chunk: Int = 100_000,
    options: SnapshotWriter.Options = .init()
) throws -> SnapshotFile {
    let writer = try SnapshotWriter(
        directory: dir, header: SnapshotHeader(sequence: sequence, counts: ["organizations": 1, "contacts": UInt64(sequence)]),
        options: options)
    var offset = 0
    while offset < content.count {
        try writer.write(Array(content[offset..<min(offset + chunk, content.count)]))
        offset += chunk
    }
    return try writer.commit()
}

@Suite struct SnapshotTests {
    @Test func roundTripWithHeader() async throws {
        try await withTemporaryDirectory { dir in
            let content = sampleContent(bytes: 1_234_567)
            let file = try writeSnapshot(dir, sequence: 42, content: content, chunk: 77_777)
            #expect(FileSystem.fileName(file.path) == "snapshot-00000000000000000042.zst")
            let loaded = try SnapshotReader.load(path: file.path)
            #expect(loaded.content == content)
            #expect(loaded.header.sequence == 42)
            #expect(loaded.header.counts == ["organizations": 1, "contacts": 42])
            #expect(loaded.header.contentLength == UInt64(content.count))
            #expect(loaded.header.contentChecksum == CRC32C.checksum(content))
            #expect(loaded.header.compressedLength < UInt64(content.count / 3))
            #expect(abs(loaded.header.createdAtMilliseconds - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000)
            #expect(try directoryNames(dir) == ["snapshot-00000000000000000042.zst"], "no temporary file left")
        }
    }

    @Test func emptySnapshot() async throws {
        try await withTemporaryDirectory { dir in
            #expect(try SnapshotReader.loadNewestValid(directory: dir) == nil, "no snapshot yet is not an error")
            let file = try writeSnapshot(dir, sequence: 0, content: [])
            #expect(try SnapshotReader.load(path: file.path).content == [])
        }
    }

    /// A crash at each step of the commit: the previous snapshot stays loadable and a
    /// half-written file is never picked.
    @Test(arguments: SnapshotWriter.CrashPoint.allCases)
    func crashDuringCommit(at point: SnapshotWriter.CrashPoint) async throws {
        try await withTemporaryDirectory { dir in
            let old = sampleContent(bytes: 200_000, seed: 1)
            let new = sampleContent(bytes: 300_000, seed: 2)
            try writeSnapshot(dir, sequence: 10, content: old)
            let error = #expect(throws: StorageError.self) {
                try writeSnapshot(dir, sequence: 20, content: new, options: .init(crashPoint: point))
            }
            #expect(error?.code == .simulatedCrash)
            let loaded = try #require(try SnapshotReader.loadNewestValid(directory: dir))
            #expect(loaded.rejected.isEmpty)
            switch point {
            case .afterTemporaryWritten, .afterTemporaryFsynced:
                #expect(loaded.header.sequence == 10 && loaded.content == old)
                #expect(try directoryNames(dir).contains("snapshot-00000000000000000020.zst.tmp"))
            case .afterRename, .afterDirectoryFsynced:
                #expect(loaded.header.sequence == 20 && loaded.content == new)
            }
            // A temp file cut short (the crash hit mid-write) is never listed either.
            let partial = FileSystem.join(dir, "snapshot-00000000000000000030.zst.tmp")
            try writeBytes(Array(try fileBytes(loaded.file.path).prefix(100)), to: partial)
            #expect(try SnapshotReader.loadNewestValid(directory: dir)?.header.sequence == loaded.header.sequence)
            // Retention clears the leftovers.
            try SnapshotRetention.apply(directory: dir, keep: 2)
            #expect(try directoryNames(dir).allSatisfy { !$0.hasSuffix(".tmp") })
        }
    }

    @Test(arguments: ["header", "body", "checksumTrailer", "truncated", "extended"])
    func corruptNewestFallsBackToPrevious(damage: String) async throws {
        try await withTemporaryDirectory { dir in
            let old = sampleContent(bytes: 100_000, seed: 3)
            try writeSnapshot(dir, sequence: 5, content: old)
            let newest = try writeSnapshot(dir, sequence: 9, content: sampleContent(bytes: 150_000, seed: 4))
            var bytes = try fileBytes(newest.path)
            switch damage {
            case "header": bytes[30] ^= 0x01
            case "body": bytes[bytes.count / 2] ^= 0x20
            case "checksumTrailer": bytes[bytes.count - 1] ^= 0x01
            case "truncated": bytes.removeLast(1000)
            default: bytes += [0]
            }
            try writeBytes(bytes, to: newest.path)
            let loaded = try #require(try SnapshotReader.loadNewestValid(directory: dir, logger: testLogger))
            #expect(loaded.header.sequence == 5)
            #expect(loaded.content == old)
            #expect(loaded.rejected.map(\.file) == [newest])
            #expect(loaded.rejected.first?.error.code == .snapshotCorrupt)
            #expect(loaded.rejected.first?.error.path == newest.path)
        }
    }

    @Test func noValidSnapshotIsAnErrorNamingEachFile() async throws {
        try await withTemporaryDirectory { dir in
            let file = try writeSnapshot(dir, sequence: 1, content: sampleContent(bytes: 1000))
            var bytes = try fileBytes(file.path)
            bytes[bytes.count - 5] ^= 0xFF
            try writeBytes(bytes, to: file.path)
            let error = #expect(throws: StorageError.self) { _ = try SnapshotReader.loadNewestValid(directory: dir) }
            #expect(error?.code == .snapshotCorrupt)
            #expect(error?.message.contains("snapshot-00000000000000000001.zst") == true)
        }
    }

    @Test func retentionKeepsTheNewestK() async throws {
        try await withTemporaryDirectory { dir in
            for sequence in [3, 7, 12, 20] as [UInt64] { try writeSnapshot(dir, sequence: sequence, content: [1, 2, 3]) }
            try writeBytes([0], to: FileSystem.join(dir, "snapshot-00000000000000000099.zst.tmp"))
            try writeBytes([0], to: FileSystem.join(dir, "journal-00000000000000000001.log"))
            #expect(try SnapshotRetention.oldestKeptSequence(directory: dir) == 12)
            let removed = try SnapshotRetention.apply(directory: dir)
            #expect(removed.count == 3)
            #expect(try directoryNames(dir) == [
                "journal-00000000000000000001.log", "snapshot-00000000000000000012.zst", "snapshot-00000000000000000020.zst",
            ])
            #expect(throws: StorageError.self) { try SnapshotRetention.apply(directory: dir, keep: 0) }
        }
    }
}
