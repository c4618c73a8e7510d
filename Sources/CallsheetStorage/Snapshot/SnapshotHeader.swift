#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The uncompressed header at the start of every snapshot file (format in docs/STORAGE.md).
///
/// The caller sets ``sequence`` (the last journal record the snapshot includes) and free-form
/// ``counts`` (organizations, contacts, …); the writer fills in lengths and the content checksum.
public struct SnapshotHeader: Sendable, Hashable {
    /// `"CSSNAP\r\n"`.
    public static let magic: [UInt8] = Array("CSSNAP\r\n".utf8)
    /// The snapshot format this build writes and reads.
    public static let currentVersion: UInt16 = 1
    /// Upper bound on a header's size; a length field above it means the file is damaged.
    static let maximumSize = 64 * 1024
    static let fixedSize = 54

    public private(set) var formatVersion: UInt16 = SnapshotHeader.currentVersion
    /// Creation time, milliseconds since 1970-01-01 UTC.
    public var createdAtMilliseconds: Int64
    /// Every journal record with a sequence ≤ this is in the snapshot.
    public var sequence: UInt64
    /// Named counts for humans and `verify` (keys ≤ 255 UTF-8 bytes, at most 1,000 of them).
    public var counts: [String: UInt64]
    /// Bytes of uncompressed content.
    public internal(set) var contentLength: UInt64 = 0
    /// Bytes of the zstd frame that follows the header.
    public internal(set) var compressedLength: UInt64 = 0
    /// CRC-32C of the uncompressed content.
    public internal(set) var contentChecksum: UInt32 = 0
    /// Bytes the header takes in its file, as read (0 for a header not read from a file).
    var storedLength = 0

    /// Journal sequences stay below this (what ``JournalWriter`` accepts), so `+ 1` never overflows.
    static let maximumSequence = UInt64.max / 2
    /// Creation times a header may hold: years 0001–9999.
    static let timeRange: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999
    /// Largest content or frame length a header may state (1 PiB); anything larger is damage.
    static let maximumLength: UInt64 = 1 << 50

    public init(sequence: UInt64, counts: [String: UInt64] = [:], createdAtMilliseconds: Int64? = nil) {
        self.sequence = sequence
        self.counts = counts
        self.createdAtMilliseconds = createdAtMilliseconds ?? Self.now()
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    func validate() throws(StorageError) {
        guard counts.count <= 1000 else { throw StorageError(.invalidArgument, "a snapshot header holds at most 1,000 counts") }
        for key in counts.keys where key.utf8.count > 255 || key.isEmpty {
            throw StorageError(.invalidArgument, "snapshot count name \"\(key.prefix(40))…\" must be 1–255 bytes")
        }
    }

    func encoded() -> [UInt8] {
        var bytes = Self.magic
        bytes.appendLittleEndian(formatVersion)
        bytes.appendLittleEndian(UInt16(0))  // flags
        bytes.appendLittleEndian(UInt32(0))  // header length, patched below
        bytes.appendLittleEndian(createdAtMilliseconds)
        bytes.appendLittleEndian(sequence)
        bytes.appendLittleEndian(contentLength)
        bytes.appendLittleEndian(compressedLength)
        bytes.appendLittleEndian(contentChecksum)
        bytes.appendLittleEndian(UInt16(counts.count))
        for (key, value) in counts.sorted(by: { $0.key < $1.key }) {
            bytes.append(UInt8(key.utf8.count))
            bytes.append(contentsOf: key.utf8)
            bytes.appendLittleEndian(value)
        }
        bytes.storeLittleEndian(UInt32(bytes.count + 4), at: 12)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Reads a header from the start of a file, verifying magic, version, length and CRC.
    static func read(from file: PosixFile) throws(StorageError) -> SnapshotHeader {
        let start = try file.read(count: 16, at: 0)
        guard start.count == 16, Array(start[0..<8]) == magic else {
            throw StorageError(.snapshotCorrupt, "not a Callsheet snapshot (bad magic)", path: file.path, offset: 0)
        }
        let version = start.loadLittleEndian(UInt16.self, at: 8)
        guard version == currentVersion else {
            throw StorageError(
                .newerFormat,
                "written by a newer release of Callsheet (snapshot format version \(version); this build reads \(currentVersion)): not damage; run that release or a later one on this directory",
                path: file.path, offset: 8)
        }
        let length = Int(start.loadLittleEndian(UInt32.self, at: 12))
        guard length >= fixedSize + 4, length <= maximumSize else {
            throw StorageError(.snapshotCorrupt, "snapshot header length \(length) is impossible", path: file.path, offset: 12)
        }
        let bytes = try file.read(count: length, at: 0)
        guard bytes.count == length,
            CRC32C.checksum(bytes[0..<(length - 4)]) == bytes.loadLittleEndian(UInt32.self, at: length - 4)
        else {
            throw StorageError(.snapshotCorrupt, "snapshot header checksum mismatch", path: file.path, offset: 0)
        }
        return try decode(bytes, path: file.path)
    }

    private static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> SnapshotHeader {
        var header = SnapshotHeader(
            sequence: bytes.loadLittleEndian(UInt64.self, at: 24), counts: [:],
            createdAtMilliseconds: bytes.loadLittleEndian(Int64.self, at: 16))
        header.formatVersion = bytes.loadLittleEndian(UInt16.self, at: 8)
        header.contentLength = bytes.loadLittleEndian(UInt64.self, at: 32)
        header.compressedLength = bytes.loadLittleEndian(UInt64.self, at: 40)
        header.contentChecksum = bytes.loadLittleEndian(UInt32.self, at: 48)
        header.storedLength = bytes.count
        // The checksum verifies, but the writer may have been hostile or broken: check every value
        // later arithmetic relies on, so a bad one is an error here and not a trap there.
        guard header.sequence < maximumSequence else {
            throw StorageError(.snapshotCorrupt, "snapshot sequence \(header.sequence) is out of range", path: path, offset: 24)
        }
        guard timeRange.contains(header.createdAtMilliseconds) else {
            throw StorageError(
                .snapshotCorrupt, "snapshot creation time \(header.createdAtMilliseconds) is out of range", path: path, offset: 16)
        }
        guard header.contentLength <= maximumLength, header.compressedLength <= maximumLength else {
            throw StorageError(
                .snapshotCorrupt, "snapshot lengths \(header.contentLength)/\(header.compressedLength) are impossible",
                path: path, offset: 32)
        }
        let entries = Int(bytes.loadLittleEndian(UInt16.self, at: 52))
        var offset = fixedSize
        let end = bytes.count - 4
        for _ in 0..<entries {
            guard offset < end else { throw malformed(path, at: offset) }
            let keyLength = Int(bytes[offset])
            guard keyLength > 0, offset + 1 + keyLength + 8 <= end else { throw malformed(path, at: offset) }
            // Keys are UTF-8 as written: decoding must not grow them (a replacement character is 3 bytes).
            guard let key = String(validating: bytes[(offset + 1)..<(offset + 1 + keyLength)], as: UTF8.self),
                header.counts[key] == nil
            else { throw malformed(path, at: offset) }
            header.counts[key] = bytes.loadLittleEndian(UInt64.self, at: offset + 1 + keyLength)
            offset += 1 + keyLength + 8
        }
        guard offset == end else { throw malformed(path, at: offset) }
        return header
    }

    private static func malformed(_ path: String, at offset: Int) -> StorageError {
        StorageError(.snapshotCorrupt, "snapshot header counts are malformed", path: path, offset: Int64(offset))
    }
}
