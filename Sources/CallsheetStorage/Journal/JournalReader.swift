#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Replays a journal directory: validates every segment, cuts a torn tail, refuses (or with
/// `repair`, cuts and keeps aside) corruption, then hands each record after a sequence to a handler.
///
/// Recovery rules are in docs/STORAGE.md, "Recovery".
public enum JournalReader {
    /// Replays the journal in `directory`.
    ///
    /// Nothing reaches `handler` until every segment has been checked, so a corrupt journal
    /// applies no records at all. A torn tail is cut off (the file is truncated) and reported.
    /// - Parameters:
    ///   - after: the sequence a snapshot already covers; records up to it are skipped. The first
    ///     record after it must be `after + 1`, or ``StorageError/Code/journalGap`` is thrown.
    ///   - repair: on corruption, keep the records before it and move the rest aside to
    ///     `*.corrupt` files instead of throwing ``StorageError/Code/journalCorrupt``.
    /// - Returns: records applied, last sequence, and what was cut.
    public static func replay(
        directory: String,
        after: UInt64 = 0,
        repair: Bool = false,
        logger: Logger? = nil,
        _ handler: (JournalRecord) throws -> Void
    ) throws -> ReplaySummary {
        let scan = try JournalScan(directory: directory)
        var summary = ReplaySummary(recordsApplied: 0, lastSequence: after, segments: scan.segments.count)
        if let first = scan.firstSequence, first > after, first - after > 1 {
            throw StorageError(
                .journalGap,
                "the journal starts at sequence \(first) but the snapshot covers only through \(after): records \(after + 1)–\(first - 1) are missing",
                path: scan.segments.first?.file.path)
        }
        var applyThrough = scan.segments.count
        if let damage = scan.damage {
            applyThrough = damage.segmentIndex + 1
            if damage.isTornTail {
                summary.tornTail = try cutTornTail(damage, scan: scan)
                logger?.info(
                    "journal torn tail cut",
                    metadata: ["file": "\(damage.file.path)", "offset": "\(damage.offset)", "reason": "\(damage.kind)"])
            } else if repair {
                summary.repair = try moveAside(damage, scan: scan)
                logger?.info(
                    "journal corruption repaired: later records moved aside",
                    metadata: ["file": "\(damage.file.path)", "offset": "\(damage.offset)", "reason": "\(damage.kind)"])
            } else {
                throw StorageError(
                    .journalCorrupt,
                    "journal damaged (\(damage.kind)) with valid records after it; run `callsheet verify` and restart with --repair to keep only what precedes it",
                    path: damage.file.path, offset: Int64(damage.offset))
            }
        }
        for (index, segment) in scan.segments.prefix(applyThrough).enumerated() {
            var end = segment.validEnd
            if let damage = scan.damage, damage.segmentIndex == index { end = min(end, damage.offset) }
            guard end > JournalFormat.segmentHeaderSize, let last = segment.lastSequence, last > after else { continue }
            let bytes = try PosixFile.openForReading(segment.file.path).read(count: end, at: 0)
            try forEachRecord(in: bytes) { record, offset in
                guard record.sequence > after else { return }
                do {
                    try handler(record)
                } catch {
                    throw StorageError(
                        .recordUnreadable,
                        "journal record \(record.sequence) (type \(record.type)) verifies but cannot be applied: \(error); offsets in the message count from the payload, which starts at the offset given here",
                        path: segment.file.path, offset: Int64(offset + JournalFormat.recordHeaderSize))
                }
                summary.recordsApplied += 1
                summary.lastSequence = record.sequence
            }
        }
        return summary
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

    private static func cutTornTail(_ damage: JournalScan.Damage, scan: JournalScan) throws(StorageError)
        -> ReplaySummary.TornTail
    {
        let segment = scan.segments[damage.segmentIndex]
        var removed: [String] = []
        if damage.offset < JournalFormat.segmentHeaderSize {
            try FileSystem.remove(segment.file.path)
            removed.append(segment.file.path)
        } else {
            let file = try PosixFile.open(segment.file.path, flags: O_WRONLY)
            try file.truncate(to: Int64(damage.offset))
            try file.sync()
        }
        for later in scan.segments[(damage.segmentIndex + 1)...] {
            try FileSystem.remove(later.file.path)
            removed.append(later.file.path)
        }
        try FileSystem.syncDirectory(FileSystem.directoryName(segment.file.path))
        return ReplaySummary.TornTail(
            file: segment.file.path, offset: Int64(damage.offset), reason: "\(damage.kind)",
            bytesRemoved: Int64(segment.size - damage.offset), segmentsRemoved: removed)
    }

    private static func moveAside(_ damage: JournalScan.Damage, scan: JournalScan) throws(StorageError)
        -> ReplaySummary.Repair
    {
        let segment = scan.segments[damage.segmentIndex]
        var moved: [String] = []
        let aside = FileSystem.unusedPath(segment.file.path, suffix: ".corrupt")
        if damage.offset < JournalFormat.segmentHeaderSize {
            try FileSystem.rename(segment.file.path, to: aside)
        } else {
            let file = try PosixFile.open(segment.file.path, flags: O_RDWR)
            let tail = try file.read(count: segment.size - damage.offset, at: Int64(damage.offset))
            let copy = try PosixFile.create(aside)
            try copy.write(tail, at: 0)
            try copy.sync()
            try file.truncate(to: Int64(damage.offset))
            try file.sync()
        }
        moved.append(aside)
        for later in scan.segments[(damage.segmentIndex + 1)...] {
            let target = FileSystem.unusedPath(later.file.path, suffix: ".corrupt")
            try FileSystem.rename(later.file.path, to: target)
            moved.append(target)
        }
        try FileSystem.syncDirectory(FileSystem.directoryName(segment.file.path))
        return ReplaySummary.Repair(
            file: segment.file.path, offset: Int64(damage.offset), reason: "\(damage.kind)", movedAside: moved)
    }
}
