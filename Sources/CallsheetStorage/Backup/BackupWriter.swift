#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a backup file (docs/STORAGE.md, "Backup files"): a snapshot of a data directory and
/// the journal records after it, up to a sequence, in one file.
///
/// The file is written as `<path>.tmp`, fsynced, read back and checked whole
/// (``BackupReader/verify(path:)``), then renamed to `path` and its directory fsynced: `path`
/// either does not exist or holds a complete, verified backup.
///
/// The caller makes sure nothing removes the snapshot or the journal segments meanwhile (the
/// store runs it as the only snapshot, compaction or backup). The active segment may be
/// appended to meanwhile: only records up to `sequence`, which are written already, are read.
public enum BackupWriter {
    /// Writes the backup and returns what it holds.
    /// - Parameters:
    ///   - snapshotPath: a snapshot file; it is verified (decompressed, checksums checked) first.
    ///   - journalDirectory: where the journal segments holding the records after it are.
    ///   - sequence: the last record to include; at least the snapshot's sequence.
    /// - Throws: ``StorageError/Code/invalidArgument`` when `path` exists already or its directory
    ///   does not; the snapshot's or the journal's errors; I/O errors. Nothing is left at `path`
    ///   (nor at `<path>.tmp`) then.
    @discardableResult
    public static func write(
        to path: String, snapshot snapshotPath: String, journalDirectory: String, through sequence: UInt64,
        createdAtMilliseconds: Int64? = nil, coldDirectory: String? = nil
    ) throws(StorageError) -> BackupManifest {
        guard !FileSystem.exists(path) else {
            throw StorageError(.invalidArgument, "the backup file exists already; choose a new name (a backup never overwrites one)", path: path)
        }
        let parent = FileSystem.directoryName(path)
        guard FileSystem.isDirectory(parent) else {
            throw StorageError(.invalidArgument, "the directory to write the backup into does not exist", path: parent)
        }
        let snapshot = try SnapshotReader.verify(path: snapshotPath)
        guard sequence >= snapshot.sequence else {
            throw StorageError(.invalidArgument, "a backup through sequence \(sequence) cannot start from a snapshot of sequence \(snapshot.sequence)")
        }
        let segment = try journalSegment(in: journalDirectory, after: snapshot.sequence, through: sequence)
        let cold = coldDirectory.map(coldSegments(in:)) ?? []
        let temporary = path + ".tmp"
        do throws(StorageError) {
            let output = try PosixFile.create(temporary)
            let header = BackupFormat.Header(
                version: cold.isEmpty ? BackupFormat.version : BackupFormat.coldVersion,
                createdAtMilliseconds: createdAtMilliseconds ?? SnapshotHeader.now(), sequence: sequence, snapshotSequence: snapshot.sequence,
                sectionCount: BackupFormat.sectionCount + UInt32(cold.count))
            var offset = Int64(0)
            try append(header.encoded(), to: output, at: &offset)
            try appendFile(snapshotPath, kind: .snapshot, first: snapshot.sequence, last: snapshot.sequence, to: output, at: &offset)
            let journal = BackupFormat.SectionHeader(
                kind: .journal, firstSequence: snapshot.sequence + 1, lastSequence: sequence,
                length: UInt64(segment.count), checksum: CRC32C.checksum(segment))
            try append(journal.encoded(), to: output, at: &offset)
            try append(segment, to: output, at: &offset)
            for file in cold { try appendFile(file.path, kind: .coldSegment, first: file.organization, last: UInt64(file.id), to: output, at: &offset) }
            try append(BackupFormat.trailer(offset: UInt64(offset), sections: header.sectionCount), to: output, at: &offset)
            try output.sync()
            var manifest = try BackupReader.verify(path: temporary)
            guard manifest.sequence == sequence, manifest.snapshotSequence == snapshot.sequence else {
                throw StorageError(.backupCorrupt, "the backup read back does not hold what was written", path: temporary)
            }
            guard !FileSystem.exists(path) else {
                throw StorageError(.invalidArgument, "the backup file appeared while the backup was being written; nothing was replaced", path: path)
            }
            try FileSystem.rename(temporary, to: path)
            try FileSystem.syncDirectory(parent)
            manifest.path = path
            return manifest
        } catch {
            try? FileSystem.remove(temporary)
            throw error
        }
    }

    private static func append(_ bytes: [UInt8], to file: PosixFile, at offset: inout Int64) throws(StorageError) {
        try file.write(bytes, at: offset)
        offset += Int64(bytes.count)
    }

    /// The cold call segment files under `directory` (`<organization>/segment-<n>.cold`), in order.
    static func coldSegments(in directory: String) -> [(path: String, organization: UInt64, id: UInt32)] {
        var files: [(path: String, organization: UInt64, id: UInt32)] = []
        for name in ((try? FileSystem.list(directory)) ?? []).sorted() {
            guard let organization = UInt64(name) else { continue }
            for file in ((try? FileSystem.list(FileSystem.join(directory, name))) ?? []).sorted() {
                guard let id = ColdSegmentFile.id(fileName: file) else { continue }
                files.append((FileSystem.join(FileSystem.join(directory, name), file), organization, id))
            }
        }
        return files
    }

    /// Copies a file (the snapshot, a cold segment) into its section, checksumming what it copies.
    private static func appendFile(
        _ source: String, kind: BackupFormat.SectionKind, first: UInt64, last: UInt64, to output: PosixFile, at offset: inout Int64
    ) throws(StorageError) {
        let input = try PosixFile.openForReading(source)
        let size = try input.size()
        let headerOffset = offset
        offset += Int64(BackupFormat.sectionHeaderSize)  // written once the checksum is known
        var crc = CRC32C.initial
        var copied: Int64 = 0
        while copied < size {
            let chunk = try input.read(count: Int(min(Int64(4 << 20), size - copied)), at: copied)
            guard !chunk.isEmpty else { throw StorageError(.snapshotCorrupt, "the \(kind) file shrank while it was being copied", path: source) }
            crc = CRC32C.update(crc, chunk)
            try append(chunk, to: output, at: &offset)
            copied += Int64(chunk.count)
        }
        let header = BackupFormat.SectionHeader(kind: kind, firstSequence: first, lastSequence: last, length: UInt64(size), checksum: CRC32C.finalize(crc))
        try output.write(header.encoded(), at: headerOffset)
    }

    /// One journal segment holding records `after + 1 … through`, copied byte for byte from the
    /// segments of `directory` (each record keeps its own checksum).
    /// - Throws: ``StorageError/Code/journalGap`` if the journal does not hold all of them.
    static func journalSegment(in directory: String, after: UInt64, through last: UInt64) throws(StorageError) -> [UInt8] {
        var segment = JournalFormat.SegmentHeader(firstSequence: after + 1).encoded()
        var expected = after + 1
        let files = try JournalSegmentFile.list(in: directory)
        for (index, file) in files.enumerated() where expected <= last {
            // A segment wholly before the records wanted: the next one starts at or before them.
            if index + 1 < files.count, files[index + 1].firstSequence <= expected { continue }
            guard file.firstSequence <= expected else { break }
            let bytes = try PosixFile.openForReading(file.path).readAll()
            var position = JournalFormat.segmentHeaderSize
            // Stops at the end of the records written so far (the active segment grows meanwhile).
            while expected <= last {
                let probe = bytes.withUnsafeBytes { JournalFormat.probeRecord($0, at: position) }
                guard case .valid(_, let sequence, _, let end) = probe else { break }
                if sequence >= expected {
                    guard sequence == expected else {
                        throw StorageError(.journalCorrupt, "journal record \(sequence) where \(expected) was expected", path: file.path, offset: Int64(position))
                    }
                    segment.append(contentsOf: bytes[position..<end])
                    expected += 1
                }
                position = end
            }
        }
        guard expected > last else {
            throw StorageError(
                .journalGap, "the journal holds the records after sequence \(after) only up to \(expected - 1); the backup needs them through \(last)",
                path: directory)
        }
        return segment
    }
}
