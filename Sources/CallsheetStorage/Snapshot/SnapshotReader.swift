import Logging

/// Reads and verifies snapshot files: header CRC, zstd frame checksum, content length and
/// content CRC-32C, and that nothing follows the frame.
public enum SnapshotReader {
    /// Reads only the header (its CRC is checked; the body is not).
    public static func readHeader(path: String) throws(StorageError) -> SnapshotHeader {
        try SnapshotHeader.read(from: PosixFile.openForReading(path))
    }

    /// Streams the decompressed content to `consume` in pieces, verifying as it goes.
    ///
    /// A damaged file throws ``StorageError/Code/snapshotCorrupt``, possibly after some pieces
    /// were already consumed: use ``load(path:)`` to get content only once it has verified.
    @discardableResult
    public static func read(path: String, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws -> SnapshotHeader {
        let file = try PosixFile.openForReading(path)
        let header = try SnapshotHeader.read(from: file)
        // Where the header ends as stored: re-encoding it could differ from what was read.
        let bodyStart = Int64(header.storedLength)
        let size = try file.size()
        // The header checked compressedLength ≤ 2^50, so the sum cannot overflow.
        let expectedSize = bodyStart + Int64(header.compressedLength)
        guard size == expectedSize else {
            throw StorageError(
                .snapshotCorrupt,
                "snapshot is \(size) bytes but its header says \(expectedSize) (truncated or extended)",
                path: path, offset: min(size, expectedSize))
        }
        let decompressor = try ZstdDecompressor()
        var contentState = CRC32C.initial
        var contentLength: UInt64 = 0
        var offset = bodyStart
        while offset < size {
            let chunk = try file.read(count: Int(min(Int64(1 << 20), size - offset)), at: offset)
            guard !chunk.isEmpty else { break }
            let used: Int
            do {
                used = try chunk.withUnsafeBytes { raw in
                    try decompressor.decompress(raw) { piece in
                        contentState = CRC32C.update(contentState, piece)
                        contentLength += UInt64(piece.count)
                        // Stop a body that inflates past its stated length before it is all in
                        // memory (found by scripts/fuzz snapshot).
                        guard contentLength <= header.contentLength else {
                            throw StorageError(.snapshotCorrupt, "content is longer than the \(header.contentLength) bytes its header says")
                        }
                        try consume(piece)
                    }
                }
            } catch let error as StorageError {
                throw StorageError(.snapshotCorrupt, "snapshot body does not decompress: \(error.message)", path: path, offset: offset)
            }
            guard used == chunk.count else {
                throw StorageError(.snapshotCorrupt, "data after the end of the zstd frame", path: path, offset: offset + Int64(used))
            }
            offset += Int64(chunk.count)
        }
        guard decompressor.frameComplete else {
            throw StorageError(.snapshotCorrupt, "the zstd frame is incomplete (file truncated)", path: path, offset: size)
        }
        guard contentLength == header.contentLength else {
            throw StorageError(
                .snapshotCorrupt, "content is \(contentLength) bytes, header says \(header.contentLength)", path: path)
        }
        guard CRC32C.finalize(contentState) == header.contentChecksum else {
            throw StorageError(.snapshotCorrupt, "content checksum mismatch", path: path)
        }
        return header
    }

    /// Fully verifies a snapshot without keeping its content.
    @discardableResult
    public static func verify(path: String) throws(StorageError) -> SnapshotHeader {
        do {
            return try read(path: path) { _ in }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.ioFailure, "\(error)", path: path)
        }
    }

    /// Reads and verifies a snapshot; the content is returned only if everything checks.
    public static func load(path: String) throws(StorageError) -> LoadedSnapshot {
        var content: [UInt8] = []
        do {
            // The header's length is only a hint (its CRC proves no honesty): reserve it when the
            // file could plausibly inflate to it (16× its size) or it is at most 256 MiB, and
            // otherwise 256 MiB, letting the array grow past that as content really arrives. A
            // content of several hundred megabytes then never moves while it is read.
            let file = try PosixFile.openForReading(path)
            let header = try SnapshotHeader.read(from: file)
            let plausible = UInt64(max(try file.size(), 0)).multipliedReportingOverflow(by: 16)
            content.reserveCapacity(Int(min(header.contentLength, max(1 << 28, plausible.overflow ? .max : plausible.partialValue))))
            let verified = try read(path: path) { piece in content.append(contentsOf: piece) }
            let sequence = SnapshotFile.parse(FileSystem.fileName(path)) ?? verified.sequence
            return LoadedSnapshot(file: SnapshotFile(sequence: sequence, path: path), header: verified, content: content)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.ioFailure, "\(error)", path: path)
        }
    }

    /// Every snapshot of a directory was passed over; ``rejected`` says why, newest first.
    public struct NoUsableSnapshot: Error, Sendable, CustomStringConvertible {
        public var directory: String
        public var rejected: [LoadedSnapshot.Rejected]
        public var description: String {
            "no snapshot in \(directory) is usable: "
                + rejected.map { "\(FileSystem.fileName($0.file.path)): \($0.error.message)" }.joined(separator: "; ")
        }
    }

    /// Loads the newest snapshot in `directory` that verifies and that `decode` accepts, falling
    /// back to older ones: a snapshot whose checksums are right but whose content does not decode
    /// is passed over exactly like a damaged one.
    ///
    /// Each passed-over file is listed in ``LoadedSnapshot/rejected`` with its error, and logged.
    /// - Returns: `nil` if the directory holds no snapshot at all.
    /// - Throws: ``NoUsableSnapshot`` if snapshots exist but none is usable; errors listing the directory.
    public static func loadNewestUsable<Decoded>(
        directory: String, logger: Logger? = nil, decode: (LoadedSnapshot) throws(StorageError) -> Decoded
    ) throws -> (LoadedSnapshot, Decoded)? {
        let files = try SnapshotFile.list(in: directory)
        guard !files.isEmpty else { return nil }
        var rejected: [LoadedSnapshot.Rejected] = []
        for file in files {
            do throws(StorageError) {
                var loaded = try load(path: file.path)
                guard loaded.header.sequence == file.sequence else {
                    throw StorageError(
                        .snapshotCorrupt, "file name says sequence \(file.sequence), header says \(loaded.header.sequence)",
                        path: file.path)
                }
                let decoded = try decode(loaded)
                loaded.rejected = rejected
                return (loaded, decoded)
            } catch {
                logger?.info(
                    "snapshot passed over; falling back to an older one",
                    metadata: ["file": "\(file.path)", "error": "\(error)"])
                rejected.append(.init(file: file, error: error))
            }
        }
        throw NoUsableSnapshot(directory: directory, rejected: rejected)
    }

    /// Loads the newest snapshot in `directory` that verifies, falling back to older ones.
    /// - Throws: ``StorageError/Code/snapshotCorrupt`` if snapshots exist but none verifies.
    public static func loadNewestValid(directory: String, logger: Logger? = nil) throws(StorageError) -> LoadedSnapshot? {
        do {
            return try loadNewestUsable(directory: directory, logger: logger) { _ throws(StorageError) in () }?.0
        } catch let error as StorageError {
            throw error
        } catch let error as NoUsableSnapshot {
            throw StorageError(.snapshotCorrupt, error.description, path: directory)
        } catch {
            throw StorageError(.ioFailure, "\(error)", path: directory)
        }
    }
}
