import Foundation
import Testing
@testable import CallsheetStorage

/// Found by the snapshot fuzz target (scripts/fuzz snapshot): a snapshot whose checksummed
/// header states a content length other than the body's made the reader trust the header.
@Suite struct SnapshotInflationTests {
    /// Rewrites the header's content length and its checksum, as a damaged or hostile writer would.
    func restate(contentLength: UInt64, of path: String) throws {
        var bytes = try fileBytes(path)
        let length = Int(bytes.loadLittleEndian(UInt32.self, at: 12))
        bytes.storeLittleEndian(contentLength, at: 32)
        bytes.storeLittleEndian(CRC32C.checksum(bytes[0..<(length - 4)]), at: length - 4)
        try writeBytes(bytes, to: path)
    }

    @Test func bodyLongerThanItsHeaderSaysStopsAtTheStatedLength() async throws {
        try await withTemporaryDirectory { dir in
            // 32 MiB of zeros compress to a few KB: a body that inflates far past what its header says.
            let file = try writeSnapshot(dir, sequence: 5, content: [UInt8](repeating: 0, count: 32 << 20), chunk: 4 << 20)
            try restate(contentLength: 1000, of: file.path)
            var consumed = 0
            #expect(throws: StorageError.self) {
                try SnapshotReader.read(path: file.path) { piece in consumed += piece.count }
            }
            #expect(consumed <= 1000, "the reader handed out \(consumed) bytes of a body stated to hold 1000")
            let error = #expect(throws: StorageError.self) { try SnapshotReader.load(path: file.path) }
            #expect(error?.code == .snapshotCorrupt)
            #expect(error?.message.contains("longer than the 1000 bytes") == true)
        }
    }

    /// Found by scripts/fuzz snapshot (Fuzz/Regressions/snapshot/compressed-length-past-int64):
    /// a compressed length of 2^63 or more trapped converting to Int64.
    @Test(arguments: [UInt64(Int64.max) + 1, UInt64.max, UInt64.max - 20])
    func compressedLengthPastInt64IsCorrupt(_ compressedLength: UInt64) async throws {
        try await withTemporaryDirectory { dir in
            let file = try writeSnapshot(dir, sequence: 7, content: Array("short content".utf8))
            var bytes = try fileBytes(file.path)
            let length = Int(bytes.loadLittleEndian(UInt32.self, at: 12))
            bytes.storeLittleEndian(compressedLength, at: 40)
            bytes.storeLittleEndian(CRC32C.checksum(bytes[0..<(length - 4)]), at: length - 4)
            try writeBytes(bytes, to: file.path)
            let error = #expect(throws: StorageError.self) { try SnapshotReader.load(path: file.path) }
            #expect(error?.code == .snapshotCorrupt)
            // Refused by the header's own range check (at most 2^50), before any arithmetic.
            #expect(error?.message.contains("truncated or extended") == true || error?.message.contains("are impossible") == true,
                    "\(String(describing: error))")
        }
    }

    @Test func contentLengthBeyondAnyFileIsCorruptNotAReservation() async throws {
        try await withTemporaryDirectory { dir in
            let file = try writeSnapshot(dir, sequence: 6, content: Array("short content".utf8))
            try restate(contentLength: 1 << 62, of: file.path)
            let error = #expect(throws: StorageError.self) { try SnapshotReader.load(path: file.path) }
            #expect(error?.code == .snapshotCorrupt)
        }
    }
}
