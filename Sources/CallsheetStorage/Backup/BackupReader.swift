#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads backup files (docs/STORAGE.md, "Backup files"): checks every header, checksum, sequence
/// and length, and writes the files a backup holds into a data directory.
public enum BackupReader {
    /// Whether the file at `path` starts like a backup (its first 8 bytes), without checking it.
    public static func isBackup(path: String) -> Bool {
        (try? PosixFile.openForReading(path).read(count: 8, at: 0)) == BackupFormat.magic
    }

    /// Reads the whole file and checks it; changes nothing.
    /// - Throws: ``StorageError/Code/backupCorrupt`` naming the file and the offset of the first
    ///   damaged byte range; ``StorageError/Code/ioFailure`` when it cannot be read.
    @discardableResult
    public static func verify(path: String) throws(StorageError) -> BackupManifest {
        try read(path: path, into: nil)
    }

    /// Verifies the backup, then writes the snapshot and the journal segment it holds into
    /// `directory` (which must exist), each fsynced, and fsyncs the directory. The caller
    /// chooses an empty directory and removes it if this throws.
    @discardableResult
    public static func extract(path: String, into directory: String) throws(StorageError) -> BackupManifest {
        _ = try read(path: path, into: nil)
        return try read(path: path, into: directory)
    }

    /// One pass over the file; with `directory`, each section is written there as it is read.
    private static func read(path: String, into directory: String?) throws(StorageError) -> BackupManifest {
        let file = try PosixFile.openForReading(path)
        let size = try file.size()
        let minimum = Int64(BackupFormat.headerSize + BackupFormat.trailerSize)
        guard size >= minimum else {
            if size >= 8, try file.read(count: 8, at: 0) != BackupFormat.magic {
                throw StorageError(.backupCorrupt, "not a Callsheet backup (bad magic)", path: path, offset: 0)
            }
            throw StorageError(.backupCorrupt, "the backup is \(size) bytes, too short to hold a header and a trailer (truncated)", path: path, offset: size)
        }
        let header = try BackupFormat.Header.decode(try file.read(count: BackupFormat.headerSize, at: 0), path: path)
        let trailerOffset = size - Int64(BackupFormat.trailerSize)
        try checkTrailer(try file.read(count: BackupFormat.trailerSize, at: trailerOffset), at: trailerOffset, sections: header.sectionCount, path: path)

        var offset = Int64(BackupFormat.headerSize)
        // The snapshot section: streamed, never whole in memory.
        let snapshot = try sectionHeader(file, at: &offset, end: trailerOffset, kind: .snapshot, path: path)
        guard snapshot.firstSequence == header.snapshotSequence, snapshot.lastSequence == header.snapshotSequence else {
            throw StorageError(
                .backupCorrupt, "the snapshot section says sequence \(snapshot.firstSequence), the backup header \(header.snapshotSequence)",
                path: path, offset: offset - Int64(BackupFormat.sectionHeaderSize) + 8)
        }
        let snapshotOutput = try directory.map { (directory) throws(StorageError) in
            try PosixFile.create(SnapshotFile(directory: directory, sequence: header.snapshotSequence).path)
        }
        var first: [UInt8] = []
        try copySection(file, from: offset, header: snapshot, path: path, to: snapshotOutput) { chunk in
            if first.isEmpty { first = Array(chunk.prefix(32)) }
        }
        // The snapshot's own header: its magic and the sequence it covers (docs/STORAGE.md, "Snapshots").
        guard first.count >= 32, Array(first[0..<8]) == SnapshotHeader.magic, first.loadLittleEndian(UInt64.self, at: 24) == header.snapshotSequence else {
            throw StorageError(.backupCorrupt, "the snapshot section does not hold a snapshot of sequence \(header.snapshotSequence)", path: path, offset: offset)
        }
        try snapshotOutput?.sync()
        offset += Int64(snapshot.length)

        // The journal section: one segment, records snapshot + 1 … sequence.
        let journal = try sectionHeader(file, at: &offset, end: trailerOffset, kind: .journal, path: path)
        guard journal.firstSequence == header.snapshotSequence + 1, journal.lastSequence == header.sequence else {
            throw StorageError(
                .backupCorrupt,
                "the journal section holds \(journal.firstSequence)–\(journal.lastSequence); the backup needs \(header.snapshotSequence + 1)–\(header.sequence)",
                path: path, offset: offset - Int64(BackupFormat.sectionHeaderSize) + 8)
        }
        var segment: [UInt8] = []
        segment.reserveCapacity(Int(min(journal.length, 1 << 28)))
        try copySection(file, from: offset, header: journal, path: path, to: nil) { segment.append(contentsOf: $0) }
        try checkSegment(segment, from: journal.firstSequence, through: journal.lastSequence, path: path, offset: offset)
        if let directory {
            let output = try PosixFile.create(JournalSegmentFile(directory: directory, firstSequence: journal.firstSequence).path)
            try output.write(segment, at: 0)
            try output.sync()
            try FileSystem.syncDirectory(directory)
        }
        offset += Int64(journal.length)
        // Version 2: the cold call segment files, each whole (its own checksums inside too).
        var coldSegments = 0
        for _ in BackupFormat.sectionCount..<header.sectionCount {
            let cold = try sectionHeader(file, at: &offset, end: trailerOffset, kind: .coldSegment, path: path)
            guard cold.firstSequence > 0, cold.lastSequence > 0, cold.lastSequence <= UInt64(UInt32.max) else {
                throw StorageError(.backupCorrupt, "a cold segment section names organization \(cold.firstSequence), segment \(cold.lastSequence)", path: path, offset: offset)
            }
            let output = try directory.map { (directory) throws(StorageError) -> PosixFile in
                let folder = FileSystem.join(FileSystem.join(directory, "cold"), String(cold.firstSequence))
                try FileSystem.createDirectory(FileSystem.join(directory, "cold"))
                try FileSystem.createDirectory(folder)
                return try PosixFile.create(ColdSegmentFile.path(directory: folder, id: UInt32(cold.lastSequence)))
            }
            try copySection(file, from: offset, header: cold, path: path, to: output) { _ in }
            try output?.sync()
            if let directory {
                try FileSystem.syncDirectory(FileSystem.join(FileSystem.join(directory, "cold"), String(cold.firstSequence)))
                try FileSystem.syncDirectory(FileSystem.join(directory, "cold"))
            }
            offset += Int64(cold.length)
            coldSegments += 1
        }
        guard offset == trailerOffset else {
            throw StorageError(.backupCorrupt, "\(trailerOffset - offset) unexpected bytes between the last section and the trailer", path: path, offset: offset)
        }
        return BackupManifest(
            path: path, createdAtMilliseconds: header.createdAtMilliseconds, sequence: header.sequence,
            snapshotSequence: header.snapshotSequence, snapshotBytes: snapshot.length,
            journalRecords: header.sequence - header.snapshotSequence, bytes: UInt64(size), coldSegments: coldSegments)
    }

    private static func checkTrailer(_ bytes: [UInt8], at offset: Int64, sections: UInt32, path: String) throws(StorageError) {
        guard Array(bytes[0..<8]) == BackupFormat.trailerMagic,
            bytes.loadLittleEndian(UInt32.self, at: 20) == CRC32C.checksum(bytes[0..<20])
        else {
            throw StorageError(.backupCorrupt, "the backup has no valid trailer at its end (truncated, extended or damaged)", path: path, offset: offset)
        }
        guard bytes.loadLittleEndian(UInt64.self, at: 8) == UInt64(offset) else {
            throw StorageError(
                .backupCorrupt, "the trailer was written at offset \(bytes.loadLittleEndian(UInt64.self, at: 8)), not \(offset) (truncated or extended)",
                path: path, offset: offset + 8)
        }
        guard bytes.loadLittleEndian(UInt32.self, at: 16) == sections else {
            throw StorageError(.backupCorrupt, "the trailer counts \(bytes.loadLittleEndian(UInt32.self, at: 16)) sections", path: path, offset: offset + 16)
        }
    }

    /// Reads the section header at `offset` (moved past it) and checks its kind and length.
    private static func sectionHeader(
        _ file: PosixFile, at offset: inout Int64, end: Int64, kind: BackupFormat.SectionKind, path: String
    ) throws(StorageError) -> BackupFormat.SectionHeader {
        let header = try BackupFormat.SectionHeader.decode(
            try file.read(count: BackupFormat.sectionHeaderSize, at: offset), path: path, offset: offset)
        guard header.kind == kind else {
            throw StorageError(.backupCorrupt, "expected the \(kind) section, found the \(header.kind) section", path: path, offset: offset + 4)
        }
        guard header.length <= UInt64(max(0, end - offset - Int64(BackupFormat.sectionHeaderSize))) else {
            throw StorageError(
                .backupCorrupt, "the \(kind) section says \(header.length) bytes, more than the file holds (truncated)", path: path, offset: offset + 24)
        }
        offset += Int64(BackupFormat.sectionHeaderSize)
        return header
    }

    /// Streams a section's bytes through its checksum, to `output` when given and to `inspect`.
    private static func copySection(
        _ file: PosixFile, from start: Int64, header: BackupFormat.SectionHeader, path: String, to output: PosixFile?,
        inspect: ([UInt8]) -> Void
    ) throws(StorageError) {
        var crc = CRC32C.initial
        var copied: Int64 = 0
        let length = Int64(header.length)
        while copied < length {
            let chunk = try file.read(count: Int(min(Int64(4 << 20), length - copied)), at: start + copied)
            guard !chunk.isEmpty else {
                throw StorageError(.backupCorrupt, "the \(header.kind) section ends early (truncated)", path: path, offset: start + copied)
            }
            crc = CRC32C.update(crc, chunk)
            inspect(chunk)
            try output?.write(chunk, at: copied)
            copied += Int64(chunk.count)
        }
        guard CRC32C.finalize(crc) == header.checksum else {
            throw StorageError(.backupCorrupt, "the \(header.kind) section's checksum does not match its bytes (damaged)", path: path, offset: start)
        }
    }

    /// Checks that `bytes` are one journal segment holding exactly the records `first … last`.
    static func checkSegment(_ bytes: [UInt8], from first: UInt64, through last: UInt64, path: String, offset base: Int64) throws(StorageError) {
        let decoded = bytes.withUnsafeBytes { JournalFormat.SegmentHeader.decode($0) }
        guard case .success(let segmentHeader) = decoded, segmentHeader.firstSequence == first else {
            throw StorageError(.backupCorrupt, "the journal section does not start with a segment header for sequence \(first)", path: path, offset: base)
        }
        var expected = first
        var position = JournalFormat.segmentHeaderSize
        while position < bytes.count {
            let probe = bytes.withUnsafeBytes { JournalFormat.probeRecord($0, at: position) }
            guard case .valid(_, let sequence, _, let end) = probe else {
                throw StorageError(.backupCorrupt, "journal record \(expected) is damaged (\(probe))", path: path, offset: base + Int64(position))
            }
            guard sequence == expected, sequence <= last else {
                throw StorageError(.backupCorrupt, "journal record \(sequence) where \(expected) was expected", path: path, offset: base + Int64(position))
            }
            expected += 1
            position = end
        }
        guard expected == last + 1 else {
            throw StorageError(.backupCorrupt, "the journal section ends after record \(expected - 1); the backup needs records through \(last)", path: path, offset: base + Int64(bytes.count))
        }
    }
}

extension BackupFormat.SectionKind: CustomStringConvertible {
    var description: String {
        switch self {
        case .snapshot: "snapshot"
        case .journal: "journal"
        case .coldSegment: "cold segment"
        }
    }
}
