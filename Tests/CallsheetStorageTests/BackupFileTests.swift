import Foundation
import Testing
@testable import CallsheetStorage

/// Backup files (docs/STORAGE.md, "Backup files"): what goes in comes out, and any damage is
/// refused with the file and the offset.
@Suite struct BackupFileTests {
    /// A directory with records 1–40 in several segments and a snapshot of sequence 25.
    private func makeDirectory(_ dir: String) async throws -> [JournalRecord] {
        let written = try await writeJournal(dir, count: 40, options: .init(segmentSize: 400), payloadLength: 30)
        try writeSnapshot(dir, sequence: 25, content: Array("state through 25".utf8))
        return written
    }

    @Test func aBackupHoldsTheSnapshotAndTheRecordsAfterIt() async throws {
        try await withTemporaryDirectory { dir in
            let data = FileSystem.join(dir, "data")
            try FileSystem.createDirectory(data)
            let written = try await makeDirectory(data)
            let snapshot = SnapshotFile(directory: data, sequence: 25).path
            let file = FileSystem.join(dir, "b.csbackup")
            let manifest = try BackupWriter.write(to: file, snapshot: snapshot, journalDirectory: data, through: 37)
            #expect(manifest.sequence == 37 && manifest.snapshotSequence == 25 && manifest.journalRecords == 12)
            #expect(manifest.bytes == UInt64(try fileSize(file)))
            #expect(!FileSystem.exists(file + ".tmp"))
            #expect(try BackupReader.verify(path: file) == manifest)

            let restored = FileSystem.join(dir, "restored")
            try FileSystem.createDirectory(restored)
            try BackupReader.extract(path: file, into: restored)
            #expect(try directoryNames(restored) == [JournalSegmentFile.name(firstSequence: 26), SnapshotFile.name(sequence: 25)])
            #expect(try fileBytes(SnapshotFile(directory: restored, sequence: 25).path) == fileBytes(snapshot))
            let loaded = try #require(try SnapshotReader.loadNewestValid(directory: restored))
            #expect(loaded.content == Array("state through 25".utf8))
            let (records, _) = try replayAll(restored, after: 25)
            #expect(records == Array(written[25..<37]))

            // A backup never overwrites a file.
            #expect(throws: StorageError.self) { try BackupWriter.write(to: file, snapshot: snapshot, journalDirectory: data, through: 37) }
            // Records the journal does not hold are refused, and nothing is left behind.
            let beyond = FileSystem.join(dir, "beyond.csbackup")
            let gap = #expect(throws: StorageError.self) { try BackupWriter.write(to: beyond, snapshot: snapshot, journalDirectory: data, through: 41) }
            #expect(gap?.code == .journalGap)
            #expect(!FileSystem.exists(beyond) && !FileSystem.exists(beyond + ".tmp"))
        }
    }

    /// Every byte range of the file is covered by a check: a flipped byte anywhere, a cut or an
    /// extension is refused with BACKUP_CORRUPT, the file's path, and an offset at or before the damage.
    @Test func damageAnywhereIsRefusedWithFileAndOffset() async throws {
        try await withTemporaryDirectory { dir in
            let data = FileSystem.join(dir, "data")
            try FileSystem.createDirectory(data)
            _ = try await makeDirectory(data)
            let good = FileSystem.join(dir, "good.csbackup")
            try BackupWriter.write(to: good, snapshot: SnapshotFile(directory: data, sequence: 25).path, journalDirectory: data, through: 40)
            let bytes = try fileBytes(good)
            let damaged = FileSystem.join(dir, "damaged.csbackup")
            var random = SystemRandomNumberGenerator()
            var offsets = [0, 9, 20, 44, 48, 60, 88, bytes.count - 30, bytes.count - 24, bytes.count - 10, bytes.count - 1]
            offsets += (0..<60).map { _ in Int.random(in: 0..<bytes.count, using: &random) }
            for offset in offsets {
                var copy = bytes
                copy[offset] ^= 0x5A
                try writeBytes(copy, to: damaged)
                let error = #expect(throws: StorageError.self, "byte \(offset) flipped") { try BackupReader.verify(path: damaged) }
                #expect(error?.code == .backupCorrupt, "byte \(offset): \(String(describing: error))")
                #expect(error?.path == damaged)
                #expect((error?.offset).map { $0 <= Int64(offset) || offset >= bytes.count - 24 } == true, "byte \(offset): reported at \(String(describing: error?.offset))")
            }
            for length in [0, 7, 47, 100, bytes.count / 2, bytes.count - 1] {
                try writeBytes(Array(bytes.prefix(length)), to: damaged)
                let error = #expect(throws: StorageError.self, "cut to \(length) bytes") { try BackupReader.verify(path: damaged) }
                #expect(error?.code == .backupCorrupt && error?.path == damaged && error?.offset != nil, "\(String(describing: error))")
            }
            try writeBytes(bytes + [0], to: damaged)
            #expect(throws: StorageError.self) { try BackupReader.verify(path: damaged) }
            // Extraction refuses before writing anything.
            var copy = bytes
            copy[bytes.count - 40] ^= 1
            try writeBytes(copy, to: damaged)
            let target = FileSystem.join(dir, "target")
            try FileSystem.createDirectory(target)
            #expect(throws: StorageError.self) { try BackupReader.extract(path: damaged, into: target) }
            #expect(try directoryNames(target).isEmpty)
        }
    }
}
