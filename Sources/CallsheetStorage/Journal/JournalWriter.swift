import Foundation
import Logging

/// Appends records to the journal segments of a data directory and tells callers when each is
/// durable. Formats and policies: docs/STORAGE.md.
///
/// ``append(type:payload:)`` only frames the record into a buffer (no I/O on the caller's
/// thread) and returns its sequence number; sequence order is call order. One dedicated
/// thread (not the Swift cooperative pool) drains the whole buffer with one write and, under
/// ``FsyncPolicy/always``, one fsync, then resumes every ``waitDurable(_:)`` it covers.
///
/// After a write or fsync error no waiter of an affected record is told success: the segment is
/// cut back to its last acknowledged record, pending records are discarded (their waiters get
/// ``StorageError/Code/journalUnavailable``), the next sequence rewinds, and `append` throws
/// `journalUnavailable` until a probe each `probeInterval` finds the disk healthy.
///
/// Shared state lives in a `Mutex` inside the engine; the open segment belongs to the writer thread.
/// A bare sequence number is only meaningful until a failure rewinds it; a ``Receipt`` from
/// ``appendRecord(type:payload:)`` names its record for good.
public final class JournalWriter: Sendable {
    private let engine: JournalEngine

    /// Opens a writer that continues after `lastSequence` (from ``ReplaySummary/lastSequence``,
    /// or the newest snapshot's sequence if that is higher) in a new segment.
    ///
    /// Throws ``StorageError/Code/journalAhead`` if the directory already holds records after
    /// `lastSequence`: replay the journal first. Empty leftover segments after it are removed.
    /// With ``Options/startsReadOnlyWhenFull``, a disk too full for the new segment's header does
    /// not throw: the writer starts failed (``health``), leaves no segment file behind, and becomes
    /// healthy when its probe manages to create the segment.
    public init(
        directory: String, after lastSequence: UInt64, options: Options = Options(), logger: Logger
    ) throws(StorageError) {
        guard FileSystem.isDirectory(directory) else {
            throw StorageError(.invalidArgument, "the journal directory does not exist", path: directory)
        }
        guard options.segmentSize > JournalFormat.segmentHeaderSize else {
            throw StorageError(.invalidArgument, "segmentSize must exceed \(JournalFormat.segmentHeaderSize) bytes")
        }
        guard lastSequence < UInt64.max / 2 else {
            throw StorageError(.invalidArgument, "journal sequence \(lastSequence) is out of range")
        }
        try Self.checkNothingAfter(lastSequence, in: directory, logger: logger)
        engine = JournalEngine(directory: directory, after: lastSequence, options: options, logger: logger)
        let flusher = JournalFlusher(engine: engine)
        do throws(StorageError) {
            try flusher.rotate(firstSequence: lastSequence + 1)
        } catch where options.startsReadOnlyWhenFull && FileSystem.isOutOfSpace(error.errno) {
            flusher.startReadOnly(Self.fullDisk(error, directory: directory))
        }
        let handoff = Handoff(flusher: flusher)
        let thread = Thread { handoff.flusher.run() }
        thread.name = "callsheet-journal"
        thread.start()
    }

    /// Why a read-only start refuses writes: the disk was full, how full, and what to do.
    private static func fullDisk(_ error: StorageError, directory: String) -> StorageError {
        let free = FileSystem.freeBytes(directory).map { "\($0) bytes free" } ?? "free space unknown"
        return StorageError(
            .ioFailure, "the disk holding \(directory) was full when the store started (\(free)), so it started read-only",
            path: error.path, errno: error.errno)
    }

    /// Hands the flusher to its thread; only that thread uses it from then on.
    private struct Handoff: @unchecked Sendable { let flusher: JournalFlusher }

    deinit { engine.requestClose() }

    /// Frames a record and queues it for the writer thread. Cheap and synchronous; thread-safe.
    /// - Returns: the record's sequence number, for ``waitDurable(_:)``.
    /// - Throws: ``StorageError/Code/journalUnavailable`` in the failed state,
    ///   ``StorageError/Code/recordTooLarge``, ``StorageError/Code/closed``.
    public func append(type: UInt16, payload: [UInt8]) throws(StorageError) -> UInt64 {
        try appendRecord(type: type, payload: payload).sequence
    }

    /// A record's place in the journal: its sequence, and how many failures the journal had had
    /// when it was appended. A failure rewinds sequences, so only the pair names one record for good.
    public struct Receipt: Sendable, Hashable {
        public let sequence: UInt64
        /// ``JournalWriter/failureCount`` when the record was appended.
        public let failures: UInt64
    }

    /// How many times the journal has failed since it opened. Records appended since the last
    /// failure cannot have been discarded: comparing a receipt's ``Receipt/failures`` with this
    /// is the cheap check before ``wasDiscarded(_:)``.
    public var failureCount: UInt64 { engine.state.withLock { $0.failureCount } }

    /// Like ``append(type:payload:)``, returning a receipt that stays meaningful across failures:
    /// wait on it with ``waitDurable(_:)-(Receipt)`` however long after, ask ``wasDiscarded(_:)``.
    public func appendRecord(type: UInt16, payload: [UInt8]) throws(StorageError) -> Receipt {
        guard payload.count <= JournalFormat.maximumPayloadLength else {
            throw StorageError(
                .recordTooLarge,
                "a journal record holds at most \(JournalFormat.maximumPayloadLength) bytes; this one has \(payload.count)")
        }
        let payloadState = JournalFormat.payloadState(payload)
        let (receipt, wake) = try engine.state.withLock { (state) throws(StorageError) in
            let (sequence, wake) = try state.append(type: type, payload: payload, payloadState: payloadState)
            return (Receipt(sequence: sequence, failures: state.failureCount), wake)
        }
        if wake { engine.wakeup.signal() }
        return receipt
    }

    /// Returns once the record is durable per the fsync policy; throws if it never will be (a
    /// failure discarded it), even if another record has taken its sequence since.
    public func waitDurable(_ receipt: Receipt) async throws(StorageError) {
        let result = await withCheckedContinuation { (continuation: JournalEngine.Waiter) in
            let immediate = engine.state.withLock { $0.wait(for: receipt.sequence, appendedAfter: receipt.failures, continuation) }
            if let immediate { continuation.resume(returning: immediate) }
        }
        try result.get()
    }

    /// Whether a failure since the record was appended discarded it: it will never be durable.
    /// Cheap; callers check it before building on changes that wait for the record.
    public func wasDiscarded(_ receipt: Receipt) -> Bool {
        engine.state.withLock { $0.discarded(receipt.sequence, appendedAfter: receipt.failures) }
    }

    /// Returns once record `sequence` is durable per the fsync policy; throws if it never will be.
    /// Not cancellable: the wait lasts at most one write and fsync.
    public func waitDurable(_ sequence: UInt64) async throws(StorageError) {
        let result = await withCheckedContinuation { (continuation: JournalEngine.Waiter) in
            if let immediate = engine.state.withLock({ $0.wait(for: sequence, continuation) }) {
                continuation.resume(returning: immediate)
            }
        }
        try result.get()
    }

    /// Appends and waits: the record is durable when this returns.
    public func appendDurably(type: UInt16, payload: [UInt8]) async throws(StorageError) -> UInt64 {
        let sequence = try append(type: type, payload: payload)
        try await waitDurable(sequence)
        return sequence
    }

    public var health: JournalHealth { engine.state.withLock { $0.health } }
    public var statistics: JournalStatistics { engine.state.withLock { $0.statistics } }
    /// The sequence the next `append` gets.
    public var nextSequence: UInt64 { engine.state.withLock { $0.nextSequence } }

    /// The highest sequence whose record, and every record before it, is acknowledged: written,
    /// and fsynced under ``FsyncPolicy/always``. A failure never takes it back.
    public var acknowledgedSequence: UInt64 { engine.state.withLock { $0.acknowledged } }

    /// Ends the active segment: records appended after this call go to a new segment, whose first
    /// sequence this returns; records before it stay where they are, with their sequences. The
    /// writer thread makes the cut before it writes anything more (``waitForSegmentCut(_:)``
    /// waits for it). A snapshot covering everything before the returned sequence thus makes the
    /// old segments removable (``removeSegments(coveredThrough:)``). When the active segment holds
    /// no record yet there is nothing to cut, and its first sequence is returned.
    /// - Throws: ``StorageError/Code/journalUnavailable`` in the failed state, ``StorageError/Code/closed``.
    public func requestSegmentCut() throws(StorageError) -> UInt64 {
        let (sequence, wake) = try engine.state.withLock { (state) throws(StorageError) in try state.requestCut() }
        if wake { engine.wakeup.signal() }
        return sequence
    }

    /// Returns once no record before `sequence` is in the active segment (after
    /// ``requestSegmentCut()`` returned `sequence`). Throws if a failure abandoned the cut or
    /// the writer closed; the records themselves are unaffected either way.
    public func waitForSegmentCut(_ sequence: UInt64) async throws(StorageError) {
        let result = await withCheckedContinuation { (continuation: JournalEngine.Waiter) in
            if let immediate = engine.state.withLock({ $0.waitForCut(sequence, continuation) }) {
                continuation.resume(returning: immediate)
            }
        }
        try result.get()
    }

    /// ``requestSegmentCut()`` and ``waitForSegmentCut(_:)``: returns the new segment's first sequence.
    @discardableResult
    public func cutSegment() async throws(StorageError) -> UInt64 {
        let sequence = try requestSegmentCut()
        try await waitForSegmentCut(sequence)
        return sequence
    }

    /// Deletes segments all of whose records have sequence ≤ `sequence` (a snapshot covers them).
    /// The active segment is never deleted. Returns the deleted paths.
    @discardableResult
    public func removeSegments(coveredThrough sequence: UInt64) throws(StorageError) -> [String] {
        let active = engine.state.withLock { $0.activeSegment }
        let segments = try JournalSegmentFile.list(in: engine.directory)
        var removed: [String] = []
        for (segment, next) in zip(segments, segments.dropFirst()) {
            guard next.firstSequence <= active, next.firstSequence > 0, next.firstSequence - 1 <= sequence else { break }
            try FileSystem.remove(segment.path)
            removed.append(segment.path)
        }
        if !removed.isEmpty { try FileSystem.syncDirectory(engine.directory) }
        return removed
    }

    /// Writes and fsyncs everything appended, stops the writer thread, closes the segment.
    /// Blocks the calling thread until then.
    public func close() throws(StorageError) {
        engine.requestClose()
        engine.finished.wait()
        engine.finished.signal()  // let any other close() through
        if let error = engine.closeError.withLock({ $0 }) { throw error }
    }

    /// Refuses to start if `directory` holds records after `lastSequence`; clears the way for
    /// the new segment.
    ///
    /// A journal that ends BEFORE `lastSequence` (a snapshot holds more than it, as `everysec` or
    /// `no` can leave after a crash) is superseded by that snapshot: its segments are removed so
    /// the new segment does not leave a gap in the sequence. A segment file named after
    /// `lastSequence` holds nothing new (replay read every record): an empty one is removed, one
    /// with bytes in it (a duplicate, damage) is renamed `*.superseded`, never deleted.
    private static func checkNothingAfter(_ lastSequence: UInt64, in directory: String, logger: Logger) throws(StorageError) {
        // Newest first, stopping at the first segment that holds records: usually one file is read.
        let files = try JournalSegmentFile.list(in: directory)
        var changed = false
        defer { if changed { try? FileSystem.syncDirectory(directory) } }
        for (index, file) in files.enumerated().reversed() {
            guard let segment = try JournalScan(segment: file).segments.first else { continue }
            if file.firstSequence > lastSequence {
                if let defect = segment.defects.first(where: { !$0.kind.canBeTorn || $0.validRecordAfter }), segment.runs.isEmpty {
                    throw StorageError(
                        .journalCorrupt, "segment is damaged (\(defect.kind)); replay or verify it before writing",
                        path: file.path, offset: Int64(defect.offset))
                }
                if let last = segment.lastSequence, last > lastSequence {
                    throw StorageError(
                        .journalAhead, "the journal holds records through sequence \(last), after \(lastSequence); replay it before writing",
                        path: file.path)
                }
                if segment.runs.isEmpty {
                    // Empty, or only what an interrupted write leaves: nothing in it was ever acknowledged.
                    try FileSystem.remove(file.path)
                } else {
                    let aside = FileSystem.unusedPath(file.path, suffix: ".superseded")
                    try FileSystem.rename(file.path, to: aside)
                    logger.warning(
                        "journal segment named after the last replayed record holds nothing new; set aside",
                        metadata: ["file": "\(file.path)", "moved_to": "\(aside)"])
                }
                changed = true
                continue
            }
            guard let last = segment.lastSequence else { continue }
            guard last <= lastSequence else {
                throw StorageError(
                    .journalAhead, "the journal holds records through sequence \(last), after \(lastSequence); replay it before writing",
                    path: file.path)
            }
            if last < lastSequence, segment.newerVersion == nil {
                for superseded in files[...index] { try FileSystem.remove(superseded.path) }
                changed = true
                logger.info(
                    "journal ends before the snapshot; its segments are superseded and removed",
                    metadata: ["journalLast": "\(last)", "snapshot": "\(lastSequence)"])
            }
            return
        }
    }
}
