import Foundation
import Testing
@testable import CallsheetStorage

/// Files whose checksums verify but whose numbers are impossible, built byte by byte: each is
/// an error naming the file and offset, never a trap. (Each used to trap: the comment says where.)
@Suite struct HostileFileTests {
    /// The fields of a snapshot header, to be written with a valid CRC whatever their values.
    struct RawHeader {
        var created: Int64 = 0
        var sequence: UInt64
        var contentLength: UInt64
        var compressedLength: UInt64
        var checksum: UInt32
        var counts: [(key: [UInt8], value: UInt64)] = []

        func bytes() -> [UInt8] {
            var bytes = SnapshotHeader.magic
            bytes.appendLittleEndian(SnapshotHeader.currentVersion)
            bytes.appendLittleEndian(UInt16(0))
            bytes.appendLittleEndian(UInt32(0))
            bytes.appendLittleEndian(created)
            bytes.appendLittleEndian(sequence)
            bytes.appendLittleEndian(contentLength)
            bytes.appendLittleEndian(compressedLength)
            bytes.appendLittleEndian(checksum)
            bytes.appendLittleEndian(UInt16(counts.count))
            for (key, value) in counts {
                bytes.append(UInt8(key.count))
                bytes.append(contentsOf: key)
                bytes.appendLittleEndian(value)
            }
            bytes.storeLittleEndian(UInt32(bytes.count + 4), at: 12)
            bytes.appendLittleEndian(CRC32C.checksum(bytes))
            return bytes
        }
    }

    /// A real snapshot's header fields and zstd frame, to rebuild around a changed header.
    func realSnapshot(_ dir: String) throws -> (header: RawHeader, body: [UInt8]) {
        let writer = try SnapshotWriter(directory: dir, header: SnapshotHeader(sequence: 5, counts: [:], createdAtMilliseconds: 0))
        try writer.write(sampleContent(bytes: 3000))
        let file = try writer.commit()
        let bytes = try fileBytes(file.path)
        try FileSystem.remove(file.path)
        let header = try SnapshotHeader.read(from: PosixFile.openForReading(writeTemporary(bytes, in: dir)))
        let raw = RawHeader(
            sequence: header.sequence, contentLength: header.contentLength, compressedLength: header.compressedLength,
            checksum: header.contentChecksum)
        return (raw, Array(bytes[raw.bytes().count...]))
    }

    func writeTemporary(_ bytes: [UInt8], in dir: String) throws -> String {
        let path = FileSystem.join(dir, "scratch.bin")
        try writeBytes(bytes, to: path)
        return path
    }

    /// Writes a snapshot named for `sequence` and expects loading it to fail with `words` at `offset`.
    func expectRejected(
        _ header: RawHeader, body: [UInt8], in dir: String, _ words: String, offset: Int64?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let path = SnapshotFile(directory: dir, sequence: 5).path
        try writeBytes(header.bytes() + body, to: path)
        let error = #expect(throws: StorageError.self, sourceLocation: sourceLocation) { try SnapshotReader.load(path: path) }
        #expect(error?.code == .snapshotCorrupt, sourceLocation: sourceLocation)
        #expect(error?.message.contains(words) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.path == path && error?.offset == offset, "\(String(describing: error))", sourceLocation: sourceLocation)
        // And the directory check reports it rather than crashing.
        let report = try StorageVerifier.verify(path: dir)
        #expect(report.snapshots.first?.isValid == false, sourceLocation: sourceLocation)
        try FileSystem.remove(path)
    }

    @Test func snapshotHeadersWithImpossibleNumbers() async throws {
        try await withTemporaryDirectory { dir in
            let (real, body) = try realSnapshot(dir)
            // The control: rebuilt unchanged, it loads.
            try writeBytes(real.bytes() + body, to: SnapshotFile(directory: dir, sequence: 5).path)
            #expect(try SnapshotReader.load(path: SnapshotFile(directory: dir, sequence: 5).path).content == sampleContent(bytes: 3000))

            var header = real
            header.compressedLength = .max  // was: Int64(compressedLength) trapped
            try expectRejected(header, body: body, in: dir, "lengths", offset: 32)

            header = real
            header.contentLength = 1 << 49  // was: a 16 GiB reservation before reading a byte
            try expectRejected(header, body: body, in: dir, "content is 3000 bytes, header says 562949953421312", offset: nil)

            header = real
            header.sequence = .max  // was: `sequence + 1` trapped in recovery
            try expectRejected(header, body: body, in: dir, "sequence 18446744073709551615 is out of range", offset: 24)

            header = real
            header.created = .min  // was: formatting the creation time trapped
            try expectRejected(header, body: body, in: dir, "creation time", offset: 16)

            header = real
            // 255 bytes that are not UTF-8 become 765 bytes of U+FFFD: re-encoding the header trapped.
            header.counts = [(key: [UInt8](repeating: 0xFF, count: 255), value: 1)]
            try expectRejected(header, body: body, in: dir, "counts are malformed", offset: 54)

            header = real
            header.counts = [(key: Array("contacts".utf8), value: 1), (key: Array("contacts".utf8), value: 2)]
            try expectRejected(header, body: body, in: dir, "counts are malformed", offset: 54 + 1 + 8 + 8)
        }
    }

    /// A segment whose first sequence is the largest a file name can hold, with a valid record:
    /// the scan's `expected += 1` trapped.
    @Test func segmentAtTheLastSequence() async throws {
        try await withTemporaryDirectory { dir in
            let file = JournalSegmentFile(directory: dir, firstSequence: .max)
            var bytes = JournalFormat.SegmentHeader(firstSequence: .max).encoded()
            let payload: [UInt8] = [1, 2, 3]
            JournalFormat.frame(into: &bytes, type: 1, sequence: .max, payload: payload, payloadState: JournalFormat.payloadState(payload))
            try writeBytes(bytes, to: file.path)
            let report = try StorageVerifier.verify(path: dir)
            #expect(!report.isHealthy)
            #expect(report.journal?.corruption?.reason.contains("out of range") == true, "\(report.description)")
            #expect(throws: StorageError.self) { _ = try replayAll(dir) }
            #expect(throws: StorageError.self) { _ = try JournalWriter(directory: dir, after: 0, logger: testLogger) }
        }
    }

    /// A snapshot that claims a sequence a journal cannot continue after is refused by the writer
    /// with an error, and the replay gap message does not overflow.
    @Test func replayAfterTheLastSequence() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 3, payloadLength: 8)
            // `after + 1` in the gap message trapped for after == UInt64.max.
            let (records, _) = try replayAll(dir, after: .max)
            #expect(records.isEmpty)
        }
    }
}
