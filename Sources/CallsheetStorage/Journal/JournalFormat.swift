/// Byte layouts of journal segments and records, version 1. docs/STORAGE.md describes them
/// field by field; change both together and bump ``segmentVersion`` on any incompatible change.
public enum JournalFormat {
    /// `"CSJRNL\r\n"`: identifies a journal segment file.
    public static let segmentMagic: [UInt8] = Array("CSJRNL\r\n".utf8)
    /// The segment format this build writes and reads.
    public static let segmentVersion: UInt16 = 1
    /// Bytes in a segment header.
    public static let segmentHeaderSize = 32
    /// Marks the start of every record; a reader scans for it to find records after damage.
    public static let recordMagic: UInt32 = 0x52_43_53_C3  // bytes C3 53 43 52 on disk
    /// Bytes in a record header (before the payload).
    public static let recordHeaderSize = 24
    /// The largest payload a record may carry (1 GiB).
    public static let maximumPayloadLength = 1 << 30
    /// Sequences stay below this (a writer refuses to start beyond it), so `+ 1` never overflows.
    static let maximumSequence = UInt64.max / 2

    /// A segment header: format version and the sequence number of the segment's first record.
    struct SegmentHeader: Equatable {
        var version: UInt16 = JournalFormat.segmentVersion
        var firstSequence: UInt64

        func encoded() -> [UInt8] {
            var bytes = JournalFormat.segmentMagic
            bytes.appendLittleEndian(version)
            bytes.appendLittleEndian(UInt16(0))  // flags
            bytes.appendLittleEndian(UInt32(JournalFormat.segmentHeaderSize))
            bytes.appendLittleEndian(firstSequence)
            bytes.appendLittleEndian(UInt32(0))  // reserved
            bytes.appendLittleEndian(CRC32C.checksum(bytes))
            return bytes
        }

        enum DecodeFailure: Error { case short, badMagic, badChecksum, unsupportedVersion(UInt16) }

        static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<SegmentHeader, DecodeFailure> {
            guard bytes.count >= JournalFormat.segmentHeaderSize else { return .failure(.short) }
            guard bytes.prefix(8).elementsEqual(JournalFormat.segmentMagic) else { return .failure(.badMagic) }
            let stored = bytes.loadLittleEndian(UInt32.self, at: 28)
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<28])) == stored else {
                return .failure(.badChecksum)
            }
            let version = bytes.loadLittleEndian(UInt16.self, at: 8)
            guard version == JournalFormat.segmentVersion else { return .failure(.unsupportedVersion(version)) }
            return .success(SegmentHeader(version: version, firstSequence: bytes.loadLittleEndian(UInt64.self, at: 16)))
        }
    }

    /// The CRC-32C of a payload, folded first so ``frame(type:sequence:payload:payloadChecksum:)``
    /// can run under a lock without touching the payload again.
    static func payloadState(_ payload: [UInt8]) -> UInt32 {
        CRC32C.update(CRC32C.initial, payload)
    }

    /// Appends one framed record to `buffer`. The checksum covers the payload, then header bytes 0–19.
    static func frame(
        into buffer: inout [UInt8], type: UInt16, sequence: UInt64, payload: [UInt8], payloadState: UInt32
    ) {
        let start = buffer.count
        buffer.appendLittleEndian(recordMagic)
        buffer.appendLittleEndian(UInt32(payload.count))
        buffer.appendLittleEndian(type)
        buffer.appendLittleEndian(UInt16(0))  // flags
        buffer.appendLittleEndian(sequence)
        let crc = buffer.withUnsafeBytes { raw in
            CRC32C.finalize(CRC32C.update(payloadState, UnsafeRawBufferPointer(rebasing: raw[start..<(start + 20)])))
        }
        buffer.appendLittleEndian(crc)
        buffer.append(contentsOf: payload)
    }

    /// What sits at one offset of a segment.
    enum RecordProbe {
        /// A whole record whose checksum verifies.
        case valid(type: UInt16, sequence: UInt64, payload: Range<Int>, end: Int)
        /// Fewer bytes left than a record header.
        case shortHeader
        case badMagic
        /// The length field points past the end of the file or over the maximum.
        case badLength(UInt32)
        case badChecksum
    }

    /// Reads the record at `offset` of `bytes` without trusting anything in it.
    static func probeRecord(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> RecordProbe {
        guard bytes.count - offset >= recordHeaderSize else { return .shortHeader }
        guard bytes.loadLittleEndian(UInt32.self, at: offset) == recordMagic else { return .badMagic }
        let length = bytes.loadLittleEndian(UInt32.self, at: offset + 4)
        guard Int(length) <= maximumPayloadLength, Int(length) <= bytes.count - offset - recordHeaderSize else {
            return .badLength(length)
        }
        let payload = (offset + recordHeaderSize)..<(offset + recordHeaderSize + Int(length))
        var crc = CRC32C.update(CRC32C.initial, UnsafeRawBufferPointer(rebasing: bytes[payload]))
        crc = CRC32C.finalize(CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 20)])))
        guard crc == bytes.loadLittleEndian(UInt32.self, at: offset + 20) else { return .badChecksum }
        return .valid(
            type: bytes.loadLittleEndian(UInt16.self, at: offset + 8),
            sequence: bytes.loadLittleEndian(UInt64.self, at: offset + 12),
            payload: payload,
            end: payload.upperBound
        )
    }
}
