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
        /// Every run, in the order replay visits them (by first sequence).
        var order: [RunReference] = []
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

    /// Whether a damaged range lies in the torn tail (which recovery cuts, not reports).
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

    /// One run of a segment, as replay visits them: in order of sequence number.
    struct RunReference: Equatable {
        var segmentIndex: Int
        var run: SegmentScan.Run
    }

    /// Judges the journal after the snapshot sequence `after`. Records are identified by their
    /// sequence number wherever they sit: runs are visited in order of their first sequence, a
    /// sequence found twice is a duplicate (skipped), a sequence found nowhere between `after` and
    /// the last readable one is lost, attributed to the damage next to the hole (or, with no
    /// damage there, to missing records). A stray copy of a record out of place therefore never
    /// hides the records around it.
    func plan(after: UInt64) -> Plan {
        var plan = Plan()
        var runs: [RunReference] = []
        let next = after < .max ? after + 1 : after
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
            let defects = segment.defects.filter { !isInTornTail(index, $0) }
            plan.damage += defects.map { (index, $0) }
            for run in segment.runs { runs.append(RunReference(segmentIndex: index, run: run)) }
            if let last = defects.last, last.offset >= (segment.runs.last?.end ?? 0) {
                trailing = (index, last)
            } else if !segment.runs.isEmpty {
                trailing = nil
            }
        }
        runs.sort { ($0.run.first, $0.segmentIndex, $0.run.start) < ($1.run.first, $1.segmentIndex, $1.run.start) }
        plan.order = runs
        var applied = after
        var previous: RunReference?
        for reference in runs {
            let run = reference.run
            let low = max(run.first, next)
            let high = min(run.last, applied)
            if low <= high { plan.duplicates += Int(high - low + 1) }
            guard run.last > applied else { continue }
            if run.first > applied + 1 {
                let segment = segments[reference.segmentIndex]
                let before = segment.defects.last { $0.end == run.start && !isInTornTail(reference.segmentIndex, $0) }
                let afterPrevious = previous.flatMap { p in
                    segments[p.segmentIndex].defects.first { $0.offset == p.run.end && !isInTornTail(p.segmentIndex, $0) }
                        .map { (p.segmentIndex, $0) }
                }
                if let damage = before.map({ (reference.segmentIndex, $0) }) ?? afterPrevious {
                    plan.lost.append(
                        Lost(first: applied + 1, last: run.first - 1, segmentIndex: damage.0, offset: damage.1.offset,
                             reason: "\(damage.1.kind)"))
                } else {
                    let reason = SegmentScan.DefectKind.sequenceBreak(expected: applied + 1, found: run.first)
                    plan.lost.append(
                        Lost(first: applied + 1, last: run.first - 1, segmentIndex: reference.segmentIndex, offset: run.start, reason: "\(reason)"))
                }
            }
            applied = run.last
            previous = reference
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
