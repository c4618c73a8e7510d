/// What one pass over a segment file found: how many whole, valid records it holds, where
/// they end, and the first defect after them (if any). Reading only; nothing is changed.
struct SegmentScan {
    /// Why the bytes at ``Defect/offset`` are not a valid record.
    enum DefectKind: Equatable, CustomStringConvertible {
        /// Only zero bytes from the offset to the end of the file (what a power loss leaves).
        case zeroFilled
        /// Fewer bytes than a header remain.
        case shortHeader
        case badMagic
        /// The length field is too large or runs past the end of the file.
        case badLength(UInt32)
        case badChecksum
        /// The segment header is missing, damaged or disagrees with the file name.
        case badSegmentHeader(String)
        /// A segment written by a newer format version.
        case unsupportedVersion(UInt16)
        /// A checksummed record whose sequence number is not the one expected.
        case sequenceBreak(expected: UInt64, found: UInt64)

        /// Whether the defect can be the tail of an interrupted write. Valid-but-misplaced
        /// records and unknown versions never are.
        var canBeTorn: Bool {
            switch self {
            case .sequenceBreak, .unsupportedVersion: return false
            default: return true
            }
        }

        var description: String {
            switch self {
            case .zeroFilled: return "zero-filled tail"
            case .shortHeader: return "partial record header"
            case .badMagic: return "no record marker"
            case .badLength(let n): return "record length \(n) runs past the end of the file"
            case .badChecksum: return "record checksum mismatch"
            case .badSegmentHeader(let why): return "bad segment header (\(why))"
            case .unsupportedVersion(let v): return "segment format version \(v) is newer than this build reads"
            case .sequenceBreak(let expected, let found): return "sequence \(found) where \(expected) was expected"
            }
        }
    }

    struct Defect: Equatable {
        var offset: Int
        var kind: DefectKind
        /// Whether a whole, checksummed record starts somewhere after `offset` in the same file.
        var validRecordAfter: Bool
    }

    var file: JournalSegmentFile
    var size: Int
    var records = 0
    var firstSequence: UInt64?
    var lastSequence: UInt64?
    /// Offset just past the segment header and the last valid record (0 if the header is bad).
    var validEnd = 0
    var defect: Defect?

    /// Scans `bytes`, the whole content of `file`. Records must run consecutively from the
    /// header's first sequence.
    init(file: JournalSegmentFile, bytes: UnsafeRawBufferPointer) {
        self.file = file
        self.size = bytes.count
        guard !bytes.isEmpty else { return }
        let header: JournalFormat.SegmentHeader
        switch JournalFormat.SegmentHeader.decode(bytes) {
        case .success(let h) where h.firstSequence >= JournalFormat.maximumSequence:
            record(.badSegmentHeader("first sequence \(h.firstSequence) is out of range"), at: 0, in: bytes)
            return
        case .success(let h) where h.firstSequence == file.firstSequence:
            header = h
        case .success(let h):
            record(.badSegmentHeader("file name says \(file.firstSequence), header says \(h.firstSequence)"), at: 0, in: bytes)
            return
        case .failure(.unsupportedVersion(let v)):
            record(.unsupportedVersion(v), at: 0, in: bytes)
            return
        case .failure(.short):
            record(.shortHeader, at: 0, in: bytes)
            return
        case .failure(let why):
            record(.badSegmentHeader("\(why)"), at: 0, in: bytes)
            return
        }
        var offset = JournalFormat.segmentHeaderSize
        validEnd = offset
        var expected = header.firstSequence
        while offset < bytes.count {
            let kind: DefectKind
            switch JournalFormat.probeRecord(bytes, at: offset) {
            case .valid(_, let sequence, _, let end):
                guard sequence == expected else {
                    kind = .sequenceBreak(expected: expected, found: sequence)
                    break
                }
                if firstSequence == nil { firstSequence = sequence }
                lastSequence = sequence
                records += 1
                expected += 1
                offset = end
                validEnd = end
                continue
            case .shortHeader: kind = .shortHeader
            case .badMagic: kind = .badMagic
            case .badLength(let n): kind = .badLength(n)
            case .badChecksum: kind = .badChecksum
            }
            record(kind, at: offset, in: bytes)
            return
        }
    }

    private mutating func record(_ kind: DefectKind, at offset: Int, in bytes: UnsafeRawBufferPointer) {
        let allZero = bytes[offset...].allSatisfy { $0 == 0 }
        defect = Defect(
            offset: offset,
            kind: allZero && kind.canBeTorn ? .zeroFilled : kind,
            validRecordAfter: Self.hasValidRecord(in: bytes, from: offset + 1)
        )
    }

    /// Whether a whole, checksummed record starts at or after `start`.
    ///
    /// Candidates' payloads may overlap, so checksumming every candidate could cost the file's
    /// size squared (found by scripts/fuzz journal: a damaged segment whose bytes repeat record
    /// headers took hours to scan). Past 16 passes' worth of checksummed bytes the search stops
    /// and answers `true`, the safe answer: the damage is then reported, never cut as a torn tail.
    static func hasValidRecord(in bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        let magic = withUnsafeBytes(of: JournalFormat.recordMagic.littleEndian) { Array($0) }
        var budget = 16 * bytes.count + (1 << 20)
        var offset = start
        while offset + JournalFormat.recordHeaderSize <= bytes.count {
            if bytes[offset] == magic[0], bytes[offset + 1] == magic[1], bytes[offset + 2] == magic[2],
                bytes[offset + 3] == magic[3]
            {
                // The checksum covers the payload only when the length fits in the file.
                let length = Int(bytes.loadLittleEndian(UInt32.self, at: offset + 4))
                budget -= JournalFormat.recordHeaderSize + (length <= bytes.count - offset ? length : 0)
                guard budget >= 0 else { return true }
                if case .valid = JournalFormat.probeRecord(bytes, at: offset) { return true }
            }
            offset += 1
        }
        return false
    }
}
