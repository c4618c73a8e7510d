#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Replays a journal directory: resynchronises after damage, skips what a snapshot covers, cuts a
/// torn tail, refuses (or with `repair`, sets aside) what cannot be read, then hands each record
/// after a sequence to a handler.
///
/// Recovery rules are in docs/STORAGE.md, "Recovery".
public enum JournalReader {
    /// Replays the journal in `directory`.
    ///
    /// Damaged bytes are skipped: the scan resynchronises on the next whole record whose checksum
    /// verifies. Damage costs nothing when every sequence after `after` is still readable (the
    /// damage held records the snapshot covers, or junk between intact records); then replay goes
    /// on and ``ReplaySummary/skippedDamage`` lists it. When acknowledged records above `after`
    /// cannot be read (their bytes are damaged, a segment is missing, or the handler cannot decode
    /// a payload), replay throws ``StorageError/Code/journalCorrupt``, ``StorageError/Code/journalGap``
    /// or ``StorageError/Code/recordUnreadable`` naming the file and offset, before any record
    /// reaches `handler` for the first two. A torn tail is cut off (the file is truncated) and reported.
    /// - Parameters:
    ///   - after: the sequence a snapshot already covers; records up to it are skipped.
    ///   - repair: on loss, replay every readable record anyway, then move the unreadable bytes
    ///     aside to `*.corrupt` files and rewrite the damaged segments without them. The journal
    ///     then has a hole in its sequence numbers: take a snapshot before the next start
    ///     (``ReplaySummary/needsSnapshot``).
    ///   - dryRun: change no file (no tail cut, no repair) and throw nothing for damage: report
    ///     what a start would find. `callsheet verify` runs this.
    /// - Returns: records applied, last sequence, and what was cut, skipped, lost or repaired.
    public static func replay(
        directory: String,
        after: UInt64 = 0,
        repair: Bool = false,
        dryRun: Bool = false,
        logger: Logger? = nil,
        _ handler: (JournalRecord) throws -> Void
    ) throws -> ReplaySummary {
        let scan = try JournalScan(directory: directory)
        let plan = scan.plan(after: after)
        var summary = ReplaySummary(recordsApplied: 0, lastSequence: after, segments: scan.segments.count)
        if let newer = plan.newerRelease {
            throw StorageError(
                .newerFormat,
                "this journal segment was written by a newer release of Callsheet (segment format version \(newer.version); this build reads \(JournalFormat.segmentVersion)) and holds records no snapshot covers: run that release or a later one on this directory. It is not damage: --repair does not discard it",
                path: scan.segments[newer.segmentIndex].file.path, offset: 8)
        }
        if !plan.lost.isEmpty, !repair, !dryRun {
            throw lossError(plan, scan: scan, after: after)
        }
        var lost = plan.lost.map { lostRecords($0, scan) }
        var unreadable: [Int: [Range<Int>]] = [:]
        var lossStart = plan.lost.first?.first ?? .max
        var keptAfterLoss = 0
        var applied = after
        var cache: (index: Int, bytes: [UInt8])?
        for reference in plan.order where reference.run.last > applied {
            let index = reference.segmentIndex
            let segment = scan.segments[index]
            if cache?.index != index {
                cache = (index, try PosixFile.openForReading(segment.file.path).read(count: segment.runs.last?.end ?? 0, at: 0))
            }
            let bytes = cache?.bytes ?? []
            var offset = reference.run.start
            while offset < reference.run.end {
                let probe = bytes.withUnsafeBytes { JournalFormat.probeRecord($0, at: offset) }
                guard case .valid(let type, let sequence, let payload, let recordEnd) = probe else { break }
                defer { offset = recordEnd }
                guard sequence > applied else { continue }
                applied = sequence
                do {
                    try handler(JournalRecord(type: type, sequence: sequence, payload: Array(bytes[payload])))
                } catch {
                    let error = StorageError(
                        .recordUnreadable,
                        "journal record \(sequence) (type \(type)) verifies but cannot be applied: \(error); offsets in the message count from the payload, which starts at the offset given here",
                        path: segment.file.path, offset: Int64(payload.lowerBound))
                    guard repair || dryRun else {
                        throw StorageError(
                            .recordUnreadable, error.message + ". Restart with --repair to set this record aside and keep every other one",
                            path: error.path, offset: error.offset)
                    }
                    lost.append(.init(first: sequence, last: sequence, file: segment.file.path, offset: Int64(offset), reason: error.message))
                    unreadable[index, default: []].append(offset..<recordEnd)
                    lossStart = min(lossStart, sequence)
                    continue
                }
                summary.recordsApplied += 1
                if sequence > lossStart { keptAfterLoss += 1 }
            }
        }
        summary.lastSequence = applied
        summary.lost = lost.sorted { $0.first < $1.first }
        summary.duplicatesSkipped = plan.duplicates
        let lossy = Set(plan.lost.map { "\($0.segmentIndex):\($0.offset)" })
        summary.skippedDamage = plan.damage
            .filter { !lossy.contains("\($0.segmentIndex):\($0.defect.offset)") }
            .map { damageReport($0.defect, scan.segments[$0.segmentIndex].file) }
        for damage in summary.skippedDamage {
            logger?.warning(
                "journal damage skipped: every record it held is readable elsewhere or covered by the snapshot",
                metadata: ["file": "\(damage.file)", "offset": "\(damage.offset)", "bytes": "\(damage.bytes)", "reason": "\(damage.reason)"])
        }
        guard !dryRun else {
            if let torn = scan.tornTail { summary.tornTail = tornTailReport(torn, scan: scan) }
            return summary
        }
        if let torn = scan.tornTail {
            summary.tornTail = try cutTornTail(torn, scan: scan)
            logger?.info(
                "journal torn tail cut",
                metadata: ["file": "\(scan.segments[torn.segmentIndex].file.path)", "offset": "\(torn.offset)", "reason": "\(torn.kind)"])
        }
        if repair, !plan.damage.isEmpty || !unreadable.isEmpty {
            var damaged: [Int: [Range<Int>]] = unreadable
            for (index, defect) in plan.damage { damaged[index, default: []].append(defect.offset..<defect.end) }
            var movedAside: [String] = []
            for index in damaged.keys.sorted() {
                movedAside.append(try rewrite(scan.segments[index], without: damaged[index] ?? []))
            }
            let first = summary.lost.first.map { ($0.file, $0.offset, $0.reason) }
                ?? summary.skippedDamage.first.map { ($0.file, $0.offset, $0.reason) } ?? ("", 0, "")
            summary.repair = ReplaySummary.Repair(
                file: first.0, offset: first.1, reason: first.2, movedAside: movedAside,
                recordsLost: summary.recordsLost, recordsKeptAfterDamage: keptAfterLoss)
            logger?.warning(
                "journal repaired: unreadable bytes moved aside, every readable record kept",
                metadata: [
                    "lost_records": "\(summary.recordsLost)", "kept_after_damage": "\(keptAfterLoss)",
                    "moved_aside": "\(movedAside.joined(separator: ", "))",
                ])
        }
        return summary
    }

    /// The refusal for acknowledged records that cannot be read, with what `--repair` would keep.
    private static func lossError(_ plan: JournalScan.Plan, scan: JournalScan, after: UInt64) -> StorageError {
        let first = plan.lost[0]
        let file = scan.segments[first.segmentIndex].file.path
        let total = plan.lost.reduce(UInt64(0)) { $0 + $1.count }
        var ranges = plan.lost.prefix(3).map { $0.first == $0.last ? "\($0.first)" : "\($0.first)–\($0.last)" }.joined(separator: ", ")
        if plan.lost.count > 3 { ranges += ", …" }
        let valid = scan.segments.reduce(0) { sum, segment in
            sum + segment.runs.reduce(0) { $0 + ($1.last > first.last ? Int($1.last - max($1.first, first.last + 1)) + 1 : 0) }
        }
        let advice = "run `callsheet verify` on the directory to see every damaged spot, then restart with --repair: it replays every readable record, moves only the unreadable bytes aside (*.corrupt) and reports what was lost"
        let isGap = plan.damage.isEmpty || plan.lost.allSatisfy { lost in
            !plan.damage.contains { $0.segmentIndex == lost.segmentIndex && $0.defect.offset == lost.offset }
        }
        if isGap, first.first == after + 1, scan.firstSequence == first.last + 1 {
            return StorageError(
                .journalGap,
                "the journal starts at sequence \(first.last + 1) but the snapshot covers only through \(after): records \(first.first)–\(first.last) are missing; \(advice)",
                path: file, offset: Int64(first.offset))
        }
        return StorageError(
            isGap ? .journalGap : .journalCorrupt,
            "journal damaged (\(first.reason)): \(total) acknowledged record(s) cannot be read (sequences \(ranges)); \(valid) valid record(s) after the damage are intact; \(advice)",
            path: file, offset: Int64(first.offset))
    }

    private static func lostRecords(_ lost: JournalScan.Lost, _ scan: JournalScan) -> ReplaySummary.Lost {
        ReplaySummary.Lost(
            first: lost.first, last: lost.last, file: scan.segments[lost.segmentIndex].file.path, offset: Int64(lost.offset),
            reason: lost.reason)
    }

    private static func damageReport(_ defect: SegmentScan.Defect, _ file: JournalSegmentFile) -> ReplaySummary.Damage {
        ReplaySummary.Damage(file: file.path, offset: Int64(defect.offset), bytes: Int64(defect.length), reason: "\(defect.kind)")
    }

    /// Writes `ranges` of a segment to `<segment>.corrupt` and the segment again without them.
    /// Both are synced before the rewritten segment replaces the original (rename).
    private static func rewrite(_ segment: SegmentScan, without ranges: [Range<Int>]) throws(StorageError) -> String {
        let path = segment.file.path
        let bytes = try PosixFile.openForReading(path).readAll()
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var aside: [UInt8] = []
        var kept = JournalFormat.SegmentHeader(firstSequence: segment.file.firstSequence).encoded()
        // Runs and ranges are both in file order: one pass over each, however many spots.
        var next = 0
        for run in segment.runs where run.end <= bytes.count {
            while next < sorted.count, sorted[next].upperBound <= run.start { next += 1 }
            var offset = run.start
            var index = next
            while index < sorted.count, sorted[index].lowerBound < run.end {
                kept += bytes[offset..<max(offset, sorted[index].lowerBound)]
                offset = max(offset, sorted[index].upperBound)
                index += 1
            }
            if offset < run.end { kept += bytes[offset..<run.end] }
        }
        for range in sorted where range.upperBound <= bytes.count { aside += bytes[range] }
        let asidePath = FileSystem.unusedPath(path, suffix: ".corrupt")
        let asideFile = try PosixFile.create(asidePath)
        try asideFile.write(aside, at: 0)
        try asideFile.sync()
        let temporary = path + ".repair"
        let output = try PosixFile.create(temporary)
        try output.write(kept, at: 0)
        try output.sync()
        try FileSystem.rename(temporary, to: path)
        try FileSystem.syncDirectory(FileSystem.directoryName(path))
        return asidePath
    }

    /// Calls `body` for each record of a segment's bytes, which the caller has validated, with
    /// the offset where the record starts.
    static func forEachRecord(in bytes: [UInt8], _ body: (JournalRecord, Int) throws -> Void) throws {
        var offset = JournalFormat.segmentHeaderSize
        while offset < bytes.count {
            let probe = bytes.withUnsafeBytes { JournalFormat.probeRecord($0, at: offset) }
            guard case .valid(let type, let sequence, let payload, let end) = probe else { return }
            try body(JournalRecord(type: type, sequence: sequence, payload: Array(bytes[payload])), offset)
            offset = end
        }
    }

    private static func tornTailReport(_ torn: JournalScan.TornTail, scan: JournalScan) -> ReplaySummary.TornTail {
        let segment = scan.segments[torn.segmentIndex]
        return ReplaySummary.TornTail(
            file: segment.file.path, offset: Int64(torn.offset), reason: "\(torn.kind)",
            bytesRemoved: Int64(segment.size - torn.offset),
            segmentsRemoved: (torn.offset < JournalFormat.segmentHeaderSize ? [segment.file.path] : [])
                + scan.segments[(torn.segmentIndex + 1)...].map(\.file.path))
    }

    private static func cutTornTail(_ torn: JournalScan.TornTail, scan: JournalScan) throws(StorageError) -> ReplaySummary.TornTail {
        let segment = scan.segments[torn.segmentIndex]
        if torn.offset < JournalFormat.segmentHeaderSize {
            try FileSystem.remove(segment.file.path)
        } else {
            let file = try PosixFile.open(segment.file.path, flags: O_WRONLY)
            try file.truncate(to: Int64(torn.offset))
            try file.sync()
        }
        for later in scan.segments[(torn.segmentIndex + 1)...] {
            try FileSystem.remove(later.file.path)
        }
        try FileSystem.syncDirectory(FileSystem.directoryName(segment.file.path))
        return tornTailReport(torn, scan: scan)
    }
}
