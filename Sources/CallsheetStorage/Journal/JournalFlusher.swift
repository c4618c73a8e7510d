import CoreMetrics
import Dispatch
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The journal's dedicated writer thread: takes every pending record in one batch, writes it
/// with one `pwrite`, fsyncs once per the policy, and releases the waiters it covers. Owns the
/// open segment; nothing else touches it after the thread starts.
final class JournalFlusher {
    /// The segment being appended to, and how far it is written, acknowledged and fsynced.
    final class ActiveSegment {
        let file: PosixFile
        let firstSequence: UInt64
        var size: Int64
        /// Offset through which every record is acknowledged; a failure truncates back to it.
        var durable: Int64
        var synced: Int64

        init(file: PosixFile, firstSequence: UInt64, size: Int64) {
            self.file = file
            self.firstSequence = firstSequence
            self.size = size
            self.durable = size
            self.synced = size
        }
    }

    let engine: JournalEngine
    private var segment: ActiveSegment?
    private var lastSync = DispatchTime.now()
    /// A cut's rotation failed: the probe makes it before the writer accepts records again.
    private var rotationPending = false
    private var policy: FsyncPolicy { engine.options.fsyncPolicy }
    private var faults: JournalFaultInjection? { engine.options.faultInjection }

    private let metrics: Metrics

    init(engine: JournalEngine) {
        self.engine = engine
        metrics = Metrics(factory: engine.options.metricsFactory ?? MetricsSystem.factory)
    }

    /// What the writer reports to swift-metrics, per batch (docs/PROTOCOL.md lists the names).
    private struct Metrics {
        let records: CoreMetrics.Counter
        let bytes: CoreMetrics.Counter
        let batchRecords: Recorder
        let fsync: CoreMetrics.Timer

        init(factory: any MetricsFactory) {
            records = CoreMetrics.Counter(label: "callsheet_journal_records_total", factory: factory)
            bytes = CoreMetrics.Counter(label: "callsheet_journal_bytes_total", factory: factory)
            batchRecords = Recorder(label: "callsheet_journal_batch_records", aggregate: true, factory: factory)
            fsync = CoreMetrics.Timer(label: "callsheet_journal_fsync_duration_seconds", factory: factory)
        }
    }

    // MARK: The loop

    func run() {
        while true {
            switch engine.state.withLock({ $0.nextStep() }) {
            case .write(let batch):
                write(batch)
            case .idle:
                let timeout = syncIfDue()
                _ = engine.wakeup.wait(timeout: timeout)
                engine.state.withLock { $0.writerAwake() }
            case .probe:
                _ = engine.wakeup.wait(timeout: .now() + engine.options.probeInterval)
                if engine.state.withLock({ $0.phase }) == .open { probe() }
            case .startSegment(let firstSequence):
                startSegment(at: firstSequence)
            case .exit:
                finish()
                return
            }
        }
    }

    private func write(_ batch: GroupCommitState<JournalEngine.Waiter>.Batch) {
        do throws(StorageError) {
            if let active = segment, active.size >= Int64(engine.options.segmentSize),
                active.firstSequence < batch.firstSequence
            {
                try rotate(firstSequence: batch.firstSequence)
            }
            guard let active = segment else { throw StorageError(.journalUnavailable, "no journal segment is open") }
            try active.file.write(batch.bytes, at: active.size, faults: faults)
            active.size += Int64(batch.bytes.count)
            let fsync = policy == .always
            if fsync {
                let started = DispatchTime.now().uptimeNanoseconds
                try active.file.sync(faults: faults)
                metrics.fsync.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- started))
                active.synced = active.size
                lastSync = .now()
            }
            let records = Int64(batch.lastSequence &- batch.firstSequence &+ 1)
            metrics.records.increment(by: records)
            metrics.bytes.increment(by: Int64(batch.bytes.count))
            metrics.batchRecords.record(records)
            active.durable = active.size
            let released = engine.state.withLock { state in
                state.recordWrite(bytes: batch.bytes.count, fsynced: fsync)
                return state.acknowledge(through: batch.lastSequence)
            }
            engine.resume(released, with: .success(()))
            if policy == .everysec { _ = syncIfDue() }
        } catch {
            fail(error)
        }
    }

    /// Under `everysec`, fsyncs when a second has passed since the last one. Returns when to wake up.
    private func syncIfDue() -> DispatchTime {
        guard policy == .everysec, let active = segment, active.synced < active.size else { return .distantFuture }
        let due = lastSync + engine.options.everysecInterval
        guard DispatchTime.now() >= due else { return due }
        do throws(StorageError) {
            let started = DispatchTime.now().uptimeNanoseconds
            try active.file.sync(faults: faults)
            metrics.fsync.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- started))
            active.synced = active.size
            lastSync = .now()
            engine.state.withLock { $0.recordFsync() }
        } catch {
            fail(error)
            return .now()  // go straight to the failed state's probe loop
        }
        return .distantFuture
    }

    // MARK: Segments

    /// Carries out a requested cut: every record before `firstSequence` is written, none after it.
    private func startSegment(at firstSequence: UInt64) {
        guard segment?.firstSequence != firstSequence else {
            // The active segment already starts there (it holds no record yet).
            let released = engine.state.withLock { $0.segmentStarted(firstSequence) }
            engine.resume(released, with: .success(()))
            return
        }
        do throws(StorageError) {
            try rotate(firstSequence: firstSequence)
        } catch {
            // The probe makes the rotation once the disk is healthy: a half-made new segment must
            // not stay behind records that the old one goes on receiving.
            rotationPending = true
            fail(error)
        }
    }

    /// Makes a new segment the active one: header written (and fsynced with its directory
    /// entry unless the policy is `no`) before any record goes in. The old one is fsynced first.
    func rotate(firstSequence: UInt64) throws(StorageError) {
        if let old = segment, policy != .no, old.synced < old.size {
            try old.file.sync(faults: faults)
            old.synced = old.size
            engine.state.withLock { $0.recordFsync() }
        }
        let file = JournalSegmentFile(directory: engine.directory, firstSequence: firstSequence)
        let created = !FileSystem.exists(file.path)
        let handle = try PosixFile.create(file.path)
        do throws(StorageError) {
            let header = JournalFormat.SegmentHeader(firstSequence: firstSequence).encoded()
            try handle.write(header, at: 0, faults: faults)
            if policy != .no {
                try handle.sync(faults: faults)
                try FileSystem.syncDirectory(engine.directory, faults: faults)
            }
            segment = ActiveSegment(file: handle, firstSequence: firstSequence, size: Int64(header.count))
        } catch {
            // A full disk lets the file be made but not its header: a segment that holds no record
            // is not left behind (the next rotation or probe creates it again).
            if created { try? FileSystem.remove(file.path) }
            throw error
        }
        rotationPending = false
        let released = engine.state.withLock { state in
            state.recordSegmentCreated()
            return state.segmentStarted(firstSequence)
        }
        engine.resume(released, with: .success(()))
        engine.logger.debug("journal segment opened", metadata: ["file": "\(file.path)"])
    }

    // MARK: Failure and recovery

    /// Cuts the segment back to its acknowledged end, fails every unacknowledged waiter, and
    /// enters the failed state.
    private func fail(_ cause: StorageError) {
        if let active = segment {
            do throws(StorageError) {
                try active.file.truncate(to: active.durable)
                active.size = active.durable
            } catch {
                engine.logger.info("journal truncate after failure failed; the probe retries it", metadata: ["error": "\(error)"])
            }
        }
        let released = engine.state.withLock { $0.fail(cause) }
        engine.resume(released, with: .failure(GroupCommitState<JournalEngine.Waiter>.unavailable(cause)))
        report(cause, "journal write failed; refusing writes until the disk recovers")
    }

    /// The first segment could not be created because the disk is full: the writer starts in the
    /// failed state with no segment open (reads go on elsewhere), and the probe creates the segment
    /// once there is room. Nothing was written, so nothing is discarded.
    func startReadOnly(_ cause: StorageError) {
        _ = engine.state.withLock { $0.fail(cause) }
        report(cause, "the disk is full: the journal cannot be opened, so the store starts read-only until there is room")
    }

    /// Logs a failure once per episode (the probe, not this, notices the recovery), at error with
    /// the free space, since an operator must see it; then tells the owner.
    private func report(_ cause: StorageError, _ message: Logger.Message) {
        engine.logger.error(message, metadata: [
            "error": "\(cause)", "free_bytes": "\(FileSystem.freeBytes(engine.directory).map(String.init) ?? "unknown")",
            "directory": "\(engine.directory)",
        ])
        engine.options.onHealthChange?(.failed(cause))
    }

    /// Tests the disk: the active segment cut back to its acknowledged end and fsynced, a pending
    /// rotation done, a small probe file written and fsynced. Success makes the writer healthy.
    private func probe() {
        do throws(StorageError) {
            if let active = segment {
                try active.file.truncate(to: active.durable)
                try active.file.sync(faults: faults)
                active.size = active.durable
                active.synced = active.durable
            }
            let next = engine.state.withLock { $0.nextSequence }
            let due = segment.map { $0.firstSequence < next && (rotationPending || $0.size >= Int64(engine.options.segmentSize)) }
            if due ?? true {
                try rotate(firstSequence: next)
            }
            let probePath = FileSystem.join(engine.directory, ".journal-probe")
            let probe = try PosixFile.create(probePath)
            try probe.write([UInt8](repeating: 0x50, count: 512), at: 0, faults: faults)
            try probe.sync(faults: faults)
            try FileSystem.remove(probePath)
        } catch {
            engine.logger.debug("journal probe failed", metadata: ["error": "\(error)"])
            // Leave nothing behind: the next probe creates it again.
            try? FileSystem.remove(FileSystem.join(engine.directory, ".journal-probe"))
            return
        }
        engine.state.withLock { $0.recover() }
        engine.logger.notice("journal healthy again; accepting writes")
        engine.options.onHealthChange?(.healthy)
    }

    private func finish() {
        var closeError: StorageError?
        if let active = segment, engine.state.withLock({ $0.health.isHealthy }) {
            do throws(StorageError) {
                if active.synced < active.size { try active.file.sync(faults: faults) }
            } catch {
                closeError = error
            }
        }
        segment = nil
        let released = engine.state.withLock { $0.finishClose() }
        engine.resume(released, with: .failure(StorageError(.closed, "the journal writer closed before this record was written")))
        engine.closeError.withLock { $0 = closeError }
        engine.finished.signal()
    }
}
