/// Byte layout of a backup file, version 1: a header, one snapshot section, one journal
/// section, a trailer. docs/STORAGE.md ("Backup files") describes it field by field; change both
/// together and bump ``version`` on any incompatible change.
///
/// Each section carries a whole file of a data directory, byte for byte: the snapshot file, and
/// a journal segment holding the records after the snapshot up to the backup's sequence. Both
/// keep their own checksums inside; the container adds one over each section's bytes and one
/// over each header, and the trailer proves the file is complete.
public enum BackupFormat {
    /// `"CSBKUP\r\n"`: identifies a backup file.
    public static let magic: [UInt8] = Array("CSBKUP\r\n".utf8)
    /// `"CSBKEND\n"`: starts the trailer, the last 24 bytes of the file.
    static let trailerMagic: [UInt8] = Array("CSBKEND\n".utf8)
    /// `"CSBS"`: starts every section header.
    static let sectionMagic: [UInt8] = Array("CSBS".utf8)
    /// The format this build writes when the data directory has no cold call segments (and reads).
    public static let version: UInt16 = 1
    /// Version 2 adds one section per cold call segment file after the journal section (written
    /// only when there are any, so a directory without them still gives a version 1 file).
    public static let coldVersion: UInt16 = 2
    static let headerSize = 48
    static let sectionHeaderSize = 40
    static let trailerSize = 24
    /// A backup holds a snapshot section, then a journal section (then, version 2, cold segments).
    static let sectionCount: UInt32 = 2
    /// The most cold segment sections a backup holds.
    static let maximumColdSections: UInt32 = 1 << 20

    /// The file header: when the backup was made, and the sequences it covers.
    struct Header: Equatable {
        var version: UInt16 = BackupFormat.version
        var createdAtMilliseconds: Int64
        /// Every record up to and including this sequence is in the backup.
        var sequence: UInt64
        /// The sequence of the snapshot in the backup; the journal section continues after it.
        var snapshotSequence: UInt64
        var sectionCount: UInt32 = BackupFormat.sectionCount

        func encoded() -> [UInt8] {
            var bytes = BackupFormat.magic
            bytes.appendLittleEndian(version)
            bytes.appendLittleEndian(UInt16(0))  // flags
            bytes.appendLittleEndian(UInt32(BackupFormat.headerSize))
            bytes.appendLittleEndian(createdAtMilliseconds)
            bytes.appendLittleEndian(sequence)
            bytes.appendLittleEndian(snapshotSequence)
            bytes.appendLittleEndian(sectionCount)
            bytes.appendLittleEndian(CRC32C.checksum(bytes))
            return bytes
        }

        /// Decodes and checks a header; the error names the offset of the bad field.
        static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> Header {
            guard bytes.count >= 8, Array(bytes[0..<8]) == BackupFormat.magic else {
                throw StorageError(.backupCorrupt, "not a Callsheet backup (bad magic)", path: path, offset: 0)
            }
            guard bytes.count >= BackupFormat.headerSize else {
                throw StorageError(.backupCorrupt, "the backup ends inside its header (\(bytes.count) bytes)", path: path, offset: Int64(bytes.count))
            }
            let version = bytes.loadLittleEndian(UInt16.self, at: 8)
            guard version == BackupFormat.version || version == BackupFormat.coldVersion else {
                throw StorageError(
                    .backupCorrupt,
                    "backup format version \(version) was written by a newer release; this build reads versions \(BackupFormat.version) and \(BackupFormat.coldVersion)",
                    path: path, offset: 8)
            }
            guard bytes.loadLittleEndian(UInt32.self, at: 44) == CRC32C.checksum(bytes[0..<44]) else {
                throw StorageError(.backupCorrupt, "backup header checksum mismatch", path: path, offset: 0)
            }
            guard bytes.loadLittleEndian(UInt32.self, at: 12) == UInt32(BackupFormat.headerSize) else {
                throw StorageError(.backupCorrupt, "backup header length is not \(BackupFormat.headerSize)", path: path, offset: 12)
            }
            let header = Header(
                version: version,
                createdAtMilliseconds: bytes.loadLittleEndian(Int64.self, at: 16),
                sequence: bytes.loadLittleEndian(UInt64.self, at: 24),
                snapshotSequence: bytes.loadLittleEndian(UInt64.self, at: 32),
                sectionCount: bytes.loadLittleEndian(UInt32.self, at: 40))
            guard header.sequence < JournalFormat.maximumSequence, header.snapshotSequence <= header.sequence else {
                throw StorageError(
                    .backupCorrupt, "backup sequences \(header.snapshotSequence)/\(header.sequence) are impossible", path: path, offset: 24)
            }
            guard header.sectionCount == BackupFormat.sectionCount
                    || (version == BackupFormat.coldVersion && header.sectionCount > BackupFormat.sectionCount && header.sectionCount <= BackupFormat.sectionCount + BackupFormat.maximumColdSections) else {
                throw StorageError(.backupCorrupt, "a backup holds \(BackupFormat.sectionCount) sections, not \(header.sectionCount)", path: path, offset: 40)
            }
            return header
        }
    }

    /// What a section holds.
    enum SectionKind: UInt16 {
        /// A snapshot file, exactly as in the data directory.
        case snapshot = 1
        /// A journal segment (header and records), as `journal-<first sequence>.log`.
        case journal = 2
        /// A cold call segment file, as `cold/<organization>/segment-<n>.cold` (first sequence:
        /// the organization id; last sequence: the segment number).
        case coldSegment = 3
    }

    /// The header before each section's bytes.
    struct SectionHeader: Equatable {
        var kind: SectionKind
        /// Snapshot: its sequence. Journal: the sequence of its first record (or of the record it
        /// would hold first, when it holds none).
        var firstSequence: UInt64
        /// Snapshot: its sequence. Journal: its last record's, or `firstSequence − 1` when empty.
        var lastSequence: UInt64
        var length: UInt64
        /// CRC-32C of the section's `length` bytes.
        var checksum: UInt32

        func encoded() -> [UInt8] {
            var bytes = BackupFormat.sectionMagic
            bytes.appendLittleEndian(kind.rawValue)
            bytes.appendLittleEndian(UInt16(0))  // flags
            bytes.appendLittleEndian(firstSequence)
            bytes.appendLittleEndian(lastSequence)
            bytes.appendLittleEndian(length)
            bytes.appendLittleEndian(checksum)
            bytes.appendLittleEndian(CRC32C.checksum(bytes))
            return bytes
        }

        /// Decodes a section header read at `offset` of the file.
        static func decode(_ bytes: [UInt8], path: String, offset: Int64) throws(StorageError) -> SectionHeader {
            guard bytes.count == BackupFormat.sectionHeaderSize else {
                throw StorageError(.backupCorrupt, "the backup ends inside a section header (truncated)", path: path, offset: offset + Int64(bytes.count))
            }
            guard Array(bytes[0..<4]) == BackupFormat.sectionMagic else {
                throw StorageError(.backupCorrupt, "no section marker where a section should start", path: path, offset: offset)
            }
            guard bytes.loadLittleEndian(UInt32.self, at: 36) == CRC32C.checksum(bytes[0..<36]) else {
                throw StorageError(.backupCorrupt, "section header checksum mismatch", path: path, offset: offset)
            }
            let rawKind = bytes.loadLittleEndian(UInt16.self, at: 4)
            guard let kind = SectionKind(rawValue: rawKind) else {
                throw StorageError(.backupCorrupt, "unknown section kind \(rawKind)", path: path, offset: offset + 4)
            }
            return SectionHeader(
                kind: kind,
                firstSequence: bytes.loadLittleEndian(UInt64.self, at: 8),
                lastSequence: bytes.loadLittleEndian(UInt64.self, at: 16),
                length: bytes.loadLittleEndian(UInt64.self, at: 24),
                checksum: bytes.loadLittleEndian(UInt32.self, at: 32))
        }
    }

    /// The trailer: where it starts (so a truncated or extended file shows) and how many sections precede it.
    static func trailer(offset: UInt64, sections: UInt32) -> [UInt8] {
        var bytes = trailerMagic
        bytes.appendLittleEndian(offset)
        bytes.appendLittleEndian(sections)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }
}
