/// One read-only pass over every segment of a journal directory, and the verdict on its
/// first damaged spot: a torn tail (nothing valid after it, safe to cut) or corruption.
struct JournalScan {
    /// The first damaged spot in the journal, in segment order.
    struct Damage: Equatable {
        var segmentIndex: Int
        var file: JournalSegmentFile
        var offset: Int
        var kind: SegmentScan.DefectKind
        /// `true`: no valid record anywhere after the damage, so it is a torn tail.
        var isTornTail: Bool
    }

    var segments: [SegmentScan] = []
    var damage: Damage?

    var recordCount: Int { segments.reduce(0) { $0 + $1.records } }
    var firstSequence: UInt64? { segments.lazy.compactMap(\.firstSequence).first }
    var lastSequence: UInt64? { segments.reversed().lazy.compactMap(\.lastSequence).first }

    /// Reads and scans every segment in `directory`.
    init(directory: String) throws(StorageError) {
        for file in try JournalSegmentFile.list(in: directory) {
            let bytes = try PosixFile.openForReading(file.path).readAll()
            segments.append(bytes.withUnsafeBytes { SegmentScan(file: file, bytes: $0) })
        }
        damage = Self.firstDamage(in: segments)
    }

    /// Scans one segment file on its own (for verifying a single file).
    init(segment file: JournalSegmentFile) throws(StorageError) {
        let bytes = try PosixFile.openForReading(file.path).readAll()
        segments = [bytes.withUnsafeBytes { SegmentScan(file: file, bytes: $0) }]
        damage = Self.firstDamage(in: segments)
    }

    private static func firstDamage(in segments: [SegmentScan]) -> Damage? {
        var previousLast: UInt64?
        for (index, segment) in segments.enumerated() {
            // Records continue across segments without a gap.
            if let previous = previousLast, let first = segment.firstSequence, first != previous &+ 1 {
                return Damage(
                    segmentIndex: index, file: segment.file, offset: 0,
                    kind: .sequenceBreak(expected: previous &+ 1, found: first), isTornTail: false)
            }
            if let defect = segment.defect {
                let laterRecords = segments[(index + 1)...].contains { $0.records > 0 }
                return Damage(
                    segmentIndex: index, file: segment.file, offset: defect.offset, kind: defect.kind,
                    isTornTail: defect.kind.canBeTorn && !defect.validRecordAfter && !laterRecords)
            }
            previousLast = segment.lastSequence ?? previousLast
        }
        return nil
    }
}
