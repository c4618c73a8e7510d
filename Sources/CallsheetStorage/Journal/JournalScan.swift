/// One read-only pass over every segment of a journal directory, and what it means for recovery
/// after a given snapshot: which records can be replayed, which are missing, which damaged
/// bytes cost nothing, and the torn tail an interrupted write left.
struct JournalScan {
    /// The damage at the very end of the journal, with no valid record anywhere after it: what an
    /// interrupted write or a power loss leaves. Recovery cuts it off.
    struct TornTail: Equatable {
        var segmentIndex: Int
        var offset: Int
        var kind: SegmentScan.DefectKind
    }

    /// Records that cannot be read: sequences `first...last`, and the damage that took them.
    struct Lost: Equatable {
        var first: UInt64
        var last: UInt64
        var segmentIndex: Int
        var offset: Int
        var reason: String
        var count: UInt64 { last - first + 1 }
    }

    /// What replay after `after` would find.
    struct Plan {
        var lost: [Lost] = []
        /// Damaged ranges outside the torn tail, each with the segment it is in.
        var damage: [(segmentIndex: Int, defect: SegmentScan.Defect)] = []
        /// A segment written by a newer release that holds records the snapshot does not cover.
        var newerRelease: (segmentIndex: Int, version: UInt16)?
        /// Valid records whose sequence was already replayed (a duplicated segment or record).
        var duplicates = 0
    }

    var segments: [SegmentScan] = []
    var tornTail: TornTail?

    var recordCount: Int { segments.reduce(0) { $0 + $1.records } }
    var firstSequence: UInt64? { segments.lazy.compactMap(\.firstSequence).first }
    var lastSequence: UInt64? { segments.compactMap(\.lastSequence).max() }

    /// Reads and scans every segment in `directory`.
    init(directory: String) throws(StorageError) {
        for file in try JournalSegmentFile.list(in: directory) {
            let bytes = try PosixFile.openForReading(file.path).readAll()
            segments.append(bytes.withUnsafeBytes { SegmentScan(file: file, bytes: $0) })
        }
        tornTail = Self.findTornTail(segments)
    }

    /// Scans one segment file on its own (for verifying a single file).
    init(segment file: JournalSegmentFile) throws(StorageError) {
        let bytes = try PosixFile.openForReading(file.path).readAll()
        segments = [bytes.withUnsafeBytes { SegmentScan(file: file, bytes: $0) }]
        tornTail = Self.findTornTail(segments)
    }

    /// The runs of a segment that replay reads: all of them (the torn tail lies after the last).
    func isInTornTail(_ segmentIndex: Int, _ defect: SegmentScan.Defect) -> Bool {
        guard let tornTail else { return false }
        return segmentIndex > tornTail.segmentIndex || (segmentIndex == tornTail.segmentIndex && defect.offset >= tornTail.offset)
    }

    /// The trailing damage of the last segment holding records, plus every later segment, if
    /// all of it could be an interrupted write (no record after it, no newer-release segment).
    private static func findTornTail(_ segments: [SegmentScan]) -> TornTail? {
        let lastWithRecords = segments.lastIndex { !$0.runs.isEmpty }
        var tail: TornTail?
        if let index = lastWithRecords {
            if let defect = segments[index].trailingDefect {
                guard defect.kind.canBeTorn else { return nil }
                tail = TornTail(segmentIndex: index, offset: defect.offset, kind: defect.kind)
            }
        }
        for index in ((lastWithRecords ?? -1) + 1)..<segments.count {
            let segment = segments[index]
            guard segment.defects.allSatisfy({ $0.kind.canBeTorn && !$0.validRecordAfter }) else { return nil }
            if tail == nil, let defect = segment.defects.first {
                tail = TornTail(segmentIndex: index, offset: defect.offset, kind: defect.kind)
            }
        }
        return tail
    }

    /// Walks every run in journal order after the snapshot sequence `after`: records at or below
    /// it (or already seen) are skipped, a jump in sequence numbers is a loss, attributed to the
    /// damage just before it (or, with no damage, to missing records).
    func plan(after: UInt64) -> Plan {
        var plan = Plan()
        var applied = after
        let next = after < .max ? after + 1 : after
        var lastDamage: (segmentIndex: Int, defect: SegmentScan.Defect)?
        // Damage with no readable record after it, in file order.
        var trailing: (segmentIndex: Int, defect: SegmentScan.Defect)?
        for (index, segment) in segments.enumerated() {
            if let version = segment.newerVersion {
                // Covered only if the next segment starts at or before the snapshot's next record.
                if plan.newerRelease == nil, segments.indices.contains(index + 1) ? segments[index + 1].file.firstSequence > next : true {
                    plan.newerRelease = (index, version)
                }
                continue
            }
            var defects = segment.defects.filter { !isInTornTail(index, $0) }[...]
            for run in segment.runs {
                while let defect = defects.first, defect.offset < run.start {
                    plan.damage.append((index, defect))
                    lastDamage = (index, defect)
                    defects = defects.dropFirst()
                }
                trailing = nil
                // Records above the snapshot seen before: a duplicated record or segment.
                let low = max(run.first, next)
                let high = min(run.last, applied)
                if low <= high { plan.duplicates += Int(high - low + 1) }
                if run.last <= applied { continue }
                if run.first > applied + 1 {
                    if let damage = lastDamage {
                        plan.lost.append(
                            Lost(first: applied + 1, last: run.first - 1, segmentIndex: damage.segmentIndex, offset: damage.defect.offset,
                                 reason: "\(damage.defect.kind)"))
                    } else {
                        let reason = SegmentScan.DefectKind.sequenceBreak(expected: applied + 1, found: run.first)
                        plan.lost.append(Lost(first: applied + 1, last: run.first - 1, segmentIndex: index, offset: run.start, reason: "\(reason)"))
                    }
                }
                applied = run.last
                lastDamage = nil
            }
            for defect in defects {
                plan.damage.append((index, defect))
                lastDamage = (index, defect)
                trailing = trailing ?? (index, defect)
            }
        }
        // Damage after the last readable record that an interrupted write cannot have left: it may
        // hold acknowledged records (how many is unknown), so it counts as a loss of at least one.
        if let damage = trailing, applied < .max {
            plan.lost.append(
                Lost(first: applied + 1, last: applied + 1, segmentIndex: damage.segmentIndex, offset: damage.defect.offset,
                     reason: "\(damage.defect.kind), after the last readable record (it may hold any number of records)"))
        }
        return plan
    }
}
