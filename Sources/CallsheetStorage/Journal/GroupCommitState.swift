/// The journal writer's bookkeeping as a plain state machine, without I/O: which sequence comes
/// next, which framed bytes wait for the writer thread, which waiters a finished batch releases,
/// and what a failure discards. `Waiter` is a continuation in production and any token in tests.
///
/// Group commit falls out of ``nextStep()``: the writer thread takes every pending record at
/// once, so appends that arrive during one write+fsync share the next one.
///
/// A segment cut (``requestCut()``, asked for by a snapshot) splits that batch exactly once:
/// the records before the cut are written and acknowledged in the old segment, the writer starts
/// a new segment at the cut's sequence, and the rest follows there. Sequences never change.
struct GroupCommitState<Waiter> {
    enum Phase: Equatable { case open, closing, closed }

    /// Framed records appended since the writer thread last took a batch.
    struct Batch {
        var bytes: [UInt8]
        var firstSequence: UInt64
        var lastSequence: UInt64
    }

    /// What the writer thread should do next.
    enum Step {
        case write(Batch)
        /// Nothing pending: sleep until woken (or a timer).
        case idle
        /// In the failed state: wait a probe interval, then test the disk.
        case probe
        /// Closing and drained: flush, close the segment, stop.
        case exit
        /// Start a new segment whose first record is this sequence: every record before it is
        /// written and acknowledged, none after it is.
        case startSegment(UInt64)
    }

    private(set) var nextSequence: UInt64
    /// Every record through this sequence is durable per the fsync policy.
    private(set) var acknowledged: UInt64
    private(set) var health: JournalHealth = .healthy
    private(set) var phase: Phase = .open
    private(set) var statistics = JournalStatistics()
    /// The first sequence of the segment the writer thread appends to.
    var activeSegment: UInt64
    /// The largest sequence ever handed out (a failure rewinds ``nextSequence`` below it).
    private var highestAssigned: UInt64
    private var pending: [UInt8] = []
    private var pendingFirst: UInt64 = 0
    private var waiters: [(sequence: UInt64, waiter: Waiter)] = []
    /// The writer thread is (about to be) asleep and needs a signal for new work.
    private var writerIdle = false
    /// A requested segment cut: the first sequence of the new segment, and where that record
    /// starts in ``pending`` (0 when it was not appended yet).
    private var cut: (sequence: UInt64, offset: Int)?
    /// The first sequence of the segment a cut will start, from its request until the writer
    /// started that segment (or a failure dropped the cut).
    private var cutInProgress: UInt64?
    /// Callers waiting for the segment holding records before `sequence` to stop being active.
    private var cutWaiters: [(sequence: UInt64, waiter: Waiter)] = []
    /// ``acknowledged`` at each failure, oldest first: entry `n` belongs to failure `n + 1`.
    /// A record appended after `n` failures survived iff its sequence is at most entry `n`.
    private var acknowledgedAtFailure: [UInt64] = []

    /// How many failures the journal has had: a record's "epoch", since a failure rewinds sequences.
    var failureCount: UInt64 { UInt64(acknowledgedAtFailure.count) }

    /// Whether a record appended (as `sequence`) after `failures` failures was discarded by a later one.
    func discarded(_ sequence: UInt64, appendedAfter failures: UInt64) -> Bool {
        guard failures < failureCount else { return false }
        return sequence > acknowledgedAtFailure[Int(failures)]
    }

    init(after lastSequence: UInt64) {
        nextSequence = lastSequence + 1
        acknowledged = lastSequence
        highestAssigned = lastSequence
        activeSegment = lastSequence + 1
    }

    /// Frames a record into the pending buffer. Returns its sequence and whether to wake the writer.
    mutating func append(type: UInt16, payload: [UInt8], payloadState: UInt32) throws(StorageError)
        -> (sequence: UInt64, wakeWriter: Bool)
    {
        guard phase == .open else { throw StorageError(.closed, "the journal writer is closed") }
        if case .failed(let cause) = health { throw Self.unavailable(cause) }
        let sequence = nextSequence
        nextSequence += 1
        highestAssigned = max(highestAssigned, sequence)
        if pending.isEmpty { pendingFirst = sequence }
        JournalFormat.frame(into: &pending, type: type, sequence: sequence, payload: payload, payloadState: payloadState)
        statistics.recordsAppended += 1
        let wake = writerIdle
        writerIdle = false
        return (sequence, wake)
    }

    /// Resolves a wait at once (durable, or impossible) or parks `waiter` until a batch covers it.
    /// - Parameter failures: the ``failureCount`` when the record was appended. A failure since
    ///   then rewound the sequences, so `sequence` may now name another record: the answer is
    ///   then what that failure left of this one.
    mutating func wait(for sequence: UInt64, appendedAfter failures: UInt64? = nil, _ waiter: Waiter) -> Result<Void, StorageError>? {
        if let failures, failures < failureCount {
            if discarded(sequence, appendedAfter: failures) {
                return .failure(StorageError(
                    .journalUnavailable, "record \(sequence) was discarded after a journal failure and never written"))
            }
            return .success(())
        }
        if sequence <= acknowledged { return .success(()) }
        if sequence > highestAssigned {
            return .failure(StorageError(.invalidArgument, "sequence \(sequence) was never appended"))
        }
        if case .failed(let cause) = health { return .failure(Self.unavailable(cause)) }
        if sequence >= nextSequence {
            return .failure(
                StorageError(.journalUnavailable, "record \(sequence) was discarded after a journal failure and never written"))
        }
        if phase == .closed { return .failure(StorageError(.closed, "the journal writer is closed")) }
        waiters.append((sequence, waiter))
        return nil
    }

    mutating func nextStep() -> Step {
        if case .failed = health { return phase == .open ? .probe : .exit }
        if let requested = cut {
            if !pending.isEmpty, pendingFirst < requested.sequence {
                // The records before the cut go to the old segment, as a batch of their own.
                let batch = Batch(bytes: Array(pending[..<requested.offset]), firstSequence: pendingFirst, lastSequence: requested.sequence - 1)
                pending.removeFirst(requested.offset)
                pendingFirst = requested.sequence
                cut = (requested.sequence, 0)
                return .write(batch)
            }
            cut = nil
            return .startSegment(requested.sequence)
        }
        if !pending.isEmpty {
            let batch = Batch(bytes: pending, firstSequence: pendingFirst, lastSequence: nextSequence - 1)
            pending = []
            pending.reserveCapacity(batch.bytes.count)
            return .write(batch)
        }
        if phase != .open { return .exit }
        writerIdle = true
        return .idle
    }

    /// The writer thread woke up (by signal or timer).
    mutating func writerAwake() { writerIdle = false }

    mutating func recordWrite(bytes: Int, fsynced: Bool) {
        statistics.batchesWritten += 1
        statistics.bytesWritten += UInt64(bytes)
        if fsynced { statistics.fsyncs += 1 }
    }

    mutating func recordFsync() { statistics.fsyncs += 1 }
    mutating func recordSegmentCreated() { statistics.segmentsCreated += 1 }

    /// A batch through `sequence` is durable: returns the waiters it releases.
    mutating func acknowledge(through sequence: UInt64) -> [Waiter] {
        acknowledged = max(acknowledged, sequence)
        return release { $0 <= sequence }
    }

    /// A write or fsync failed: discard everything not acknowledged, rewind the sequence, and
    /// return the waiters that must now get an error.
    mutating func fail(_ cause: StorageError) -> [Waiter] {
        acknowledgedAtFailure.append(acknowledged)
        pending = []
        cut = nil
        cutInProgress = nil
        nextSequence = acknowledged + 1
        health = .failed(cause)
        statistics.failures += 1
        return release { _ in true } + releaseCutWaiters { _ in true }
    }

    /// A probe succeeded.
    mutating func recover() { health = .healthy }

    /// Starts closing; `false` if already closing or closed.
    mutating func beginClose() -> Bool {
        guard phase == .open else { return false }
        phase = .closing
        return true
    }

    /// The writer thread stopped: returns waiters that can never be satisfied.
    mutating func finishClose() -> [Waiter] {
        phase = .closed
        return release { _ in true } + releaseCutWaiters { _ in true }
    }

    // MARK: Segment cuts

    /// Asks the writer thread to start a new segment at the next sequence, so that the active
    /// segment holds nothing appended after this call. Returns the new segment's first sequence
    /// and whether to wake the writer. Nothing to do when the active segment holds no record:
    /// it already starts there. A later request replaces one the writer has not carried out yet.
    mutating func requestCut() throws(StorageError) -> (sequence: UInt64, wakeWriter: Bool) {
        guard phase == .open else { throw StorageError(.closed, "the journal writer is closed") }
        if case .failed(let cause) = health { throw Self.unavailable(cause) }
        let sequence = nextSequence
        guard activeSegment < sequence else { return (sequence, false) }
        cut = (sequence, pending.count)
        cutInProgress = sequence
        let wake = writerIdle
        writerIdle = false
        return (sequence, wake)
    }

    /// Resolves at once or parks `waiter` until no record before `sequence` is in the active
    /// segment (a cut at `sequence`, or any later rotation, did it).
    mutating func waitForCut(_ sequence: UInt64, _ waiter: Waiter) -> Result<Void, StorageError>? {
        if activeSegment >= sequence { return .success(()) }
        if case .failed(let cause) = health { return .failure(Self.unavailable(cause)) }
        if phase == .closed { return .failure(StorageError(.closed, "the journal writer is closed")) }
        guard let cutInProgress, cutInProgress >= sequence else {
            return .failure(StorageError(.journalUnavailable, "the segment cut at sequence \(sequence) was abandoned after a journal failure"))
        }
        cutWaiters.append((sequence, waiter))
        return nil
    }

    /// The writer thread made `firstSequence` the active segment: returns the cut waiters it satisfies.
    mutating func segmentStarted(_ firstSequence: UInt64) -> [Waiter] {
        activeSegment = firstSequence
        if let started = cutInProgress, started <= firstSequence { cutInProgress = nil }
        return releaseCutWaiters { $0 <= firstSequence }
    }

    private mutating func releaseCutWaiters(where covered: (UInt64) -> Bool) -> [Waiter] {
        var released: [Waiter] = []
        cutWaiters.removeAll { entry in
            guard covered(entry.sequence) else { return false }
            released.append(entry.waiter)
            return true
        }
        return released
    }

    private mutating func release(where covered: (UInt64) -> Bool) -> [Waiter] {
        var released: [Waiter] = []
        waiters.removeAll { entry in
            guard covered(entry.sequence) else { return false }
            released.append(entry.waiter)
            return true
        }
        return released
    }

    /// What a refused or discarded write is told. No path in the message: clients of any
    /// organization read it (the path and errno stay in the error's fields and the log).
    static func unavailable(_ cause: StorageError) -> StorageError {
        let message = FileSystem.isOutOfSpace(cause.errno)
            ? "the disk holding the data directory is full, so the store is read-only: writes are refused and nothing is stored, reads go on. Free space on that disk (delete files that are not the store's, or grow the filesystem); writes resume by themselves within seconds of there being room, without a restart"
            : "the journal is not accepting writes after a disk failure (\(cause.message)); reads continue, writes resume once the disk is healthy"
        return StorageError(.journalUnavailable, message, path: cause.path, errno: cause.errno)
    }
}
