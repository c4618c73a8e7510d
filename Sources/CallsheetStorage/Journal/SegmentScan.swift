/// What one pass over a segment file found: the runs of whole, valid records it holds, and the
/// damaged byte ranges between them. Reading only; nothing is changed.
///
/// After damage the scan resynchronises on the next whole record whose checksum verifies (every
/// record starts with a marker and carries its length and a CRC), so one bad spot never hides the
/// valid records after it. Sequence numbers are not judged here: a run is a stretch of records
/// with consecutive sequences, and ``JournalScan`` decides across segments what is missing,
/// duplicated or already covered by a snapshot.
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
        /// A segment written by a newer format version: not damage, but nothing this build reads.
        case unsupportedVersion(UInt16)
        /// A checksummed header or record whose sequence number no journal reaches.
        case outOfRange(String)
        /// Records are missing: the next readable record has a later sequence than expected.
        case sequenceBreak(expected: UInt64, found: UInt64)

        /// Whether the defect can be the tail of an interrupted write. Missing records and
        /// unknown versions never are.
        var canBeTorn: Bool {
            switch self {
            case .sequenceBreak, .unsupportedVersion, .outOfRange: return false
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
            case .unsupportedVersion(let v):
                return "written by a newer release (segment format version \(v); this build reads \(JournalFormat.segmentVersion))"
            case .sequenceBreak(let expected, let found): return "sequence \(found) where \(expected) was expected"
            case .outOfRange(let what): return "\(what) out of range"
            }
        }
    }

    /// One damaged byte range: `offset..<end` holds no readable record.
    struct Defect: Equatable {
        var offset: Int
        var end: Int
        var kind: DefectKind
        /// Whether a whole, checksummed record follows in the same file, or the search for one
        /// ran out of its budget (then the safe answer: treat the damage as not torn).
        var validRecordAfter: Bool
        var length: Int { end - offset }
    }

    /// Consecutive valid records: `first...last` at bytes `start..<end`.
    struct Run: Equatable {
        var start: Int
        var end: Int
        var first: UInt64
        var last: UInt64
        var count: Int { Int(last - first) + 1 }
    }

    var file: JournalSegmentFile
    var size: Int
    var runs: [Run] = []
    /// Damaged ranges in file order (the header's, at offset 0, included).
    var defects: [Defect] = []
    /// The format version of a segment written by a newer release; nothing else is read from it.
    var newerVersion: UInt16?

    var records: Int { runs.reduce(0) { $0 + $1.count } }
    var firstSequence: UInt64? { runs.first?.first }
    var lastSequence: UInt64? { runs.map(\.last).max() }
    /// The first damaged range, if any.
    var defect: Defect? { defects.first }
    /// Where the readable prefix ends: just past the header and the records before the first
    /// defect (0 if the header itself is bad).
    var validEnd: Int {
        guard let defect else { return runs.last?.end ?? min(size, JournalFormat.segmentHeaderSize) }
        return defect.offset
    }
    /// The damage that runs to the end of the file with no record after it, if any: what a torn
    /// write leaves when this is the journal's last segment with records.
    var trailingDefect: Defect? {
        guard let last = defects.last, last.end == size, !last.validRecordAfter else { return nil }
        return last
    }

    /// Scans `bytes`, the whole content of `file`.
    init(file: JournalSegmentFile, bytes: UnsafeRawBufferPointer) {
        self.file = file
        self.size = bytes.count
        guard !bytes.isEmpty else { return }
        var budget = Self.searchBudget(bytes.count)
        var offset = JournalFormat.segmentHeaderSize
        switch JournalFormat.SegmentHeader.decode(bytes) {
        case .success(let h) where h.firstSequence >= JournalFormat.maximumSequence:
            offset = damage(.outOfRange("segment header's first sequence \(h.firstSequence) is"), at: 0, in: bytes, budget: &budget)
        case .success(let h) where h.firstSequence == file.firstSequence:
            break
        case .success(let h):
            offset = damage(.badSegmentHeader("file name says \(file.firstSequence), header says \(h.firstSequence)"), at: 0, in: bytes, budget: &budget)
        case .failure(.unsupportedVersion(let v)):
            newerVersion = v
            defects = [Defect(offset: 0, end: bytes.count, kind: .unsupportedVersion(v), validRecordAfter: false)]
            return
        case .failure(.short):
            offset = damage(.shortHeader, at: 0, in: bytes, budget: &budget)
        case .failure(let why):
            offset = damage(.badSegmentHeader("\(why)"), at: 0, in: bytes, budget: &budget)
        }
        while offset < bytes.count {
            let kind: DefectKind
            switch JournalFormat.probeRecord(bytes, at: offset) {
            case .valid(_, let sequence, _, let end) where sequence < JournalFormat.maximumSequence:
                if let last = runs.last, last.end == offset, last.last &+ 1 == sequence {
                    runs[runs.count - 1].last = sequence
                    runs[runs.count - 1].end = end
                } else {
                    runs.append(Run(start: offset, end: end, first: sequence, last: sequence))
                }
                offset = end
                continue
            case .valid(_, let sequence, _, _): kind = .outOfRange("record sequence \(sequence) is")
            case .shortHeader: kind = .shortHeader
            case .badMagic: kind = .badMagic
            case .badLength(let n): kind = .badLength(n)
            case .badChecksum: kind = .badChecksum
            }
            offset = damage(kind, at: offset, in: bytes, budget: &budget)
        }
    }

    /// Records damage from `offset` to the next valid record (or the end) and returns where
    /// scanning resumes.
    private mutating func damage(
        _ kind: DefectKind, at offset: Int, in bytes: UnsafeRawBufferPointer, budget: inout Int
    ) -> Int {
        let next = Self.nextValidRecord(in: bytes, from: offset + 1, budget: &budget)
        let end: Int
        let recordAfter: Bool
        switch next {
        case .found(let at): (end, recordAfter) = (at, true)
        case .none: (end, recordAfter) = (bytes.count, false)
        case .undecided: (end, recordAfter) = (bytes.count, true)
        }
        let allZero = end == bytes.count && bytes[offset..<end].allSatisfy { $0 == 0 }
        defects.append(
            Defect(offset: offset, end: end, kind: allZero && kind.canBeTorn ? .zeroFilled : kind, validRecordAfter: recordAfter))
        return end
    }

    enum Search: Equatable {
        case found(Int)
        case none
        /// The budget ran out before the answer was known.
        case undecided
    }

    /// Checksummed bytes one scan may spend searching for records after damage.
    static func searchBudget(_ size: Int) -> Int { 16 * size + (1 << 20) }

    /// Where the next whole, checksummed record starts at or after `start`.
    ///
    /// Candidates' payloads may overlap, so checksumming every candidate could cost the file's
    /// size squared (found by scripts/fuzz journal: a damaged segment whose bytes repeat record
    /// headers took hours to scan). The budget is shared by every search of one scan; once it is
    /// spent the answer is `.undecided`, and the caller treats the rest of the file as damage
    /// that is never cut as a torn tail.
    static func nextValidRecord(in bytes: UnsafeRawBufferPointer, from start: Int, budget: inout Int) -> Search {
        let magic = withUnsafeBytes(of: JournalFormat.recordMagic.littleEndian) { Array($0) }
        var offset = start
        while offset + JournalFormat.recordHeaderSize <= bytes.count {
            if bytes[offset] == magic[0], bytes[offset + 1] == magic[1], bytes[offset + 2] == magic[2],
                bytes[offset + 3] == magic[3]
            {
                // The checksum covers the payload only when the length fits in the file.
                let length = Int(bytes.loadLittleEndian(UInt32.self, at: offset + 4))
                budget -= JournalFormat.recordHeaderSize + (length <= bytes.count - offset ? length : 0)
                guard budget >= 0 else { return .undecided }
                if case .valid(_, let sequence, _, _) = JournalFormat.probeRecord(bytes, at: offset),
                    sequence < JournalFormat.maximumSequence
                {
                    return .found(offset)
                }
            }
            offset += 1
        }
        return .none
    }

    /// Whether a whole, checksummed record starts at or after `start` (undecided counts as yes).
    static func hasValidRecord(in bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var budget = searchBudget(bytes.count)
        return nextValidRecord(in: bytes, from: start, budget: &budget) != .none
    }
}
