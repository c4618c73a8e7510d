import CallsheetCore
import CallsheetStorage
import CoreMetrics
import Foundation
import Logging

extension ShardDirectory {
    /// Opens a data directory: loads the newest valid snapshot, replays the journal after it,
    /// and continues the journal. Replay runs before anything is served.
    /// - Throws: `UNAVAILABLE` naming the file and offset when the journal or snapshots cannot be read.
    public static func open(_ configuration: StoreConfiguration, logger: Logger) throws(CallsheetError) -> ShardDirectory {
        let path = configuration.directory
        // Files and directories made from here on are this user's alone (docs/STORAGE.md).
        umask(0o077)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CallsheetError(.unavailable, "cannot create the data directory \(path): \(error.localizedDescription)")
        }
        // Contacts, logins and secret hashes: readable by this user alone (docs/STORAGE.md).
        DataDirectoryPrivacy.secure(path, logger: logger)
        // Before anything is read: recovery itself cuts torn tails and removes segments.
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock.acquire(directory: path, advice: configuration.lockAdvice)
        } catch where error.code == .directoryLocked {
            throw CallsheetError(.unavailable, error.message)
        } catch {
            throw CallsheetError(.unavailable, "cannot lock the data directory \(path): \(error)")
        }
        // Leftovers of a process that stopped mid-way (a disk-health probe, a snapshot being
        // written): nothing reads them, and with the lock held nothing else is writing them.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        where name == ".journal-probe" || (name.hasPrefix("snapshot-") && name.hasSuffix(".tmp")) {
            try? FileManager.default.removeItem(atPath: path + "/" + name)
        }
        var recovered: RecoveredState
        do {
            let outcome = try Recovery.run(directory: path, repair: configuration.repair, dryRun: false, logger: logger)
            recovered = outcome.state
            recovered.persistence.recoveryReport = outcome.report.joined(separator: "; ")
            recovered.persistence.unusableSnapshots = Set(outcome.rejectedSnapshots.map(\.file.path))
            recovered.persistence.usableSnapshots = Set(outcome.snapshotFile.map { [$0] } ?? [])
            // Cold segments written but never journaled (a crash cut the move), or replaced by a rewrite.
            let orphans = removeUnreferencedColdFiles(data: path, organizations: Array(recovered.organizations.values))
            if !orphans.isEmpty {
                recovered.persistence.recoveryReport += (recovered.persistence.recoveryReport.isEmpty ? "" : "; ") + "cold files no catalogue names deleted: " + orphans.joined(separator: ", ")
            }
            let eventful = outcome.replay.repair != nil || !outcome.replay.skippedDamage.isEmpty || outcome.replay.tornTail != nil
                || !outcome.rejectedSnapshots.isEmpty || outcome.needsSnapshot || outcome.replay.duplicatesSkipped > 0
            if eventful {
                // What an operator must read after a crash or damage: on standard error by default.
                logger.warning("recovery did more than replay the journal", metadata: ["directory": "\(path)", "report": "\(recovered.persistence.recoveryReport)"])
            }
            if outcome.needsSnapshot {
                // Records were lost and the journal now has a hole in its sequence numbers: a
                // snapshot covering it is written before anything else, so the next start is clean.
                let captures = recovered.organizations.values.sorted { $0.organization.id < $1.organization.id }
                    .map { ($0, recovered.lastSequence) }
                let file = try writeSnapshotNow(
                    captures, floor: recovered.lastSequence, nextOrganizationID: recovered.nextOrganizationID, configuration: configuration)
                recovered.persistence.lastSnapshotSequence = recovered.lastSequence
                recovered.persistence.lastSnapshotAt = Clock.now()
                recovered.persistence.lastSnapshotBytes = file.bytes
                recovered.persistence.usableSnapshots.insert(file.path)
                recovered.persistence.recoveryReport += "; snapshot \(file.path) written to cover the repaired journal"
                logger.warning("snapshot written after repair", metadata: ["file": "\(file.path)", "sequence": "\(recovered.lastSequence)"])
            }
        } catch let error as StorageError {
            throw CallsheetError(.unavailable, "cannot recover \(path): \(error)")
        } catch let error as CallsheetError {
            throw CallsheetError(.unavailable, "cannot recover \(path): \(error.message)")
        } catch {
            throw CallsheetError(.unavailable, "cannot recover \(path): \(error)")
        }
        var options = JournalWriter.Options(
            fsyncPolicy: configuration.fsyncPolicy, segmentSize: configuration.segmentSize,
            probeInterval: configuration.journalProbeInterval, faultInjection: configuration.journalFaultInjection,
            startsReadOnlyWhenFull: true)
        options.metricsFactory = configuration.metricsFactory
        let journal: JournalWriter
        do {
            journal = try JournalWriter(directory: path, after: recovered.lastSequence, options: options, logger: logger)
        } catch {
            throw CallsheetError(.unavailable, "cannot open the journal in \(path): \(error)")
        }
        // A full disk: everything recovered is served, writes wait for room (docs/STORAGE.md).
        if case .failed(let cause) = journal.health {
            recovered.persistence.recoveryReport += "; started read-only: \(cause.message)"
        }
        logger.info("data directory opened", metadata: ["directory": "\(path)", "recovery": "\(recovered.persistence.recoveryReport)"])
        return ShardDirectory(configuration: configuration, journal: journal, recovered: recovered, logger: logger, lock: lock)
    }

    /// What recovery did when the directory opened.
    public var recoveryReport: String { persistence.recoveryReport }

    /// Writes a snapshot of every organization, then deletes the journal segments and older
    /// snapshots it makes unnecessary. Writes go on meanwhile: each shard is copied in a moment
    /// (copy-on-write) and the copy is encoded and compressed off the actors.
    ///
    /// The snapshot cuts the journal where it starts (``JournalWriter/requestSegmentCut()``), so
    /// the segments before it are wholly covered and go once retention no longer needs them
    /// (docs/STORAGE.md, "Compaction").
    @discardableResult
    public func snapshot() async throws(CallsheetError) -> JSONValue {
        try await exclusively { directory throws(CallsheetError) in try await directory.snapshotNow().json }
    }

    /// Runs `body` as the only snapshot, compaction or backup in progress (each refuses with
    /// `CONFLICT` while another runs: they share the snapshot files and the journal's clean-up).
    func exclusively<T: Sendable>(_ body: (isolated ShardDirectory) async throws(CallsheetError) -> T) async throws(CallsheetError) -> T {
        guard journal != nil else { throw CallsheetError(.unavailable, "this store has no data directory") }
        guard !persistence.snapshotInProgress else {
            throw CallsheetError(.conflict, "a snapshot, compaction or backup is already running; try again when it has finished")
        }
        persistence.snapshotInProgress = true
        defer { persistence.snapshotInProgress = false }
        return try await body(self)
    }

    /// What one snapshot did.
    struct SnapshotOutcome: Sendable {
        var file: String
        var sequence: UInt64
        var organizations: Int
        var contacts: Int
        var bytes: Int
        var milliseconds: Int64
        var removedSnapshots: [String]
        var removedSegments: [String]

        var json: JSONValue {
            .object([
                ("file", .string(file)),
                ("sequence", .integer(Int64(sequence))),
                ("organizations", .integer(Int64(organizations))),
                ("contacts", .integer(Int64(contacts))),
                ("bytes", .integer(Int64(bytes))),
                ("milliseconds", .integer(milliseconds)),
                ("removed_snapshots", .integer(Int64(removedSnapshots.count))),
                ("removed_journal_segments", .integer(Int64(removedSegments.count))),
            ])
        }
    }

    /// The snapshot itself; the caller holds ``exclusively(_:)``.
    /// - Parameter keep: snapshots to keep (this one included); the configuration's by default,
    ///   1 for an erasure, which must leave no older snapshot or segment behind.
    func snapshotNow(keep: Int? = nil) async throws(CallsheetError) -> SnapshotOutcome {
        let keep = keep ?? configuration.keepSnapshots
        guard let journal else { throw CallsheetError(.unavailable, "this store has no data directory") }
        let started = Clock.now()
        let failuresBefore = journal.statistics.failures
        // Records from `floor + 1` on go to a new segment: the ones before it are this snapshot's.
        let floor: UInt64
        var cut: UInt64?
        do {
            let first = try journal.requestSegmentCut()
            cut = first
            floor = first - 1
        } catch {
            floor = journal.nextSequence - 1
            logger.notice("snapshot without a journal segment cut", metadata: ["error": "\(error)"])
        }
        var captures: [(OrganizationState, UInt64)] = []
        for id in shards.keys.sorted() {
            guard let shard = shards[id] else { continue }
            captures.append(await shard.capture())
        }
        let newest = captures.map(\.1).max() ?? floor
        do {
            if newest > 0 { try await journal.waitDurable(newest) }
        } catch {
            throw CallsheetError(.unavailable, "snapshot abandoned: the journal could not make its writes durable (\(error.message))")
        }
        // A journal failure during the captures rolled back changes a copy may hold, and rewound
        // sequences, so `waitDurable` may have waited for a different record: start again later.
        guard journal.statistics.failures == failuresBefore else {
            throw CallsheetError(.unavailable, "snapshot abandoned: the journal failed while the snapshot was being taken; try again once it is healthy")
        }
        let file = try await Self.writeSnapshot(captures, floor: floor, nextOrganizationID: nextOrganizationID, configuration: configuration)
        persistence.lastSnapshotAt = Clock.now()
        persistence.lastSnapshotSequence = floor
        persistence.lastSnapshotBytes = file.bytes
        persistence.lastSnapshotOrganizationBytes = file.organizations
        await snapshotWritten(naming: captures.map(\.0))
        if let cut {
            do {
                try await journal.waitForSegmentCut(cut)
            } catch {
                logger.notice("the journal segment was not cut; its records stay until a later snapshot", metadata: ["error": "\(error)"])
            }
        }
        var removedSegments: [String] = []
        var removedSnapshots: [String] = []
        do {
            persistence.usableSnapshots.insert(file.path)
            let usable = snapshotUsability()
            removedSnapshots = try SnapshotRetention.apply(directory: configuration.directory, keep: keep, isUsable: usable)
            if let oldestKept = try SnapshotRetention.oldestKeptSequence(
                directory: configuration.directory, keep: keep, isUsable: usable)
            {
                removedSegments = try journal.removeSegments(coveredThrough: oldestKept)
            }
        } catch {
            logger.warning("snapshot clean-up failed", metadata: ["error": "\(error)"])
        }
        let contacts = captures.reduce(0) { $0 + $1.0.contacts.count }
        let factory = configuration.metricsFactory ?? MetricsSystem.factory
        CoreMetrics.Timer(label: "callsheet_snapshot_duration_seconds", factory: factory).recordMilliseconds(Clock.now() - started)
        logger.info("snapshot written", metadata: ["file": "\(file.path)", "sequence": "\(floor)", "contacts": "\(contacts)", "bytes": "\(file.bytes)"])
        return SnapshotOutcome(
            file: file.path, sequence: floor, organizations: captures.count, contacts: contacts, bytes: file.bytes,
            milliseconds: Clock.now() - started, removedSnapshots: removedSnapshots, removedSegments: removedSegments)
    }

    /// Whether a snapshot file counts for retention: known from this process (loaded at open or
    /// written since), else verified now. Files recovery passed over never count.
    private func snapshotUsability() -> @Sendable (SnapshotFile) -> Bool {
        let usable = persistence.usableSnapshots
        let unusable = persistence.unusableSnapshots
        return { file in
            if unusable.contains(file.path) { return false }
            if usable.contains(file.path) { return true }
            return (try? SnapshotReader.verify(path: file.path)) != nil
        }
    }

    /// Encodes, compresses and writes the snapshot file on a thread of its own, at a lower
    /// scheduling priority: seconds of encoding and compression neither hold one of the few
    /// threads the actors run on nor take a core from the commands being served.
    nonisolated private static func writeSnapshot(
        _ captures: [(OrganizationState, UInt64)], floor: UInt64, nextOrganizationID: OrganizationID, configuration: StoreConfiguration
    ) async throws(CallsheetError) -> (path: String, bytes: Int, organizations: [OrganizationID: Int]) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<(path: String, bytes: Int, organizations: [OrganizationID: Int]), CallsheetError>, Never>) in
            let thread = Thread {
                BackgroundPriority.lowerCurrentThread()
                do throws(CallsheetError) {
                    continuation.resume(returning: .success(
                        try writeSnapshotNow(captures, floor: floor, nextOrganizationID: nextOrganizationID, configuration: configuration)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "callsheet snapshot"
            thread.start()
        }
        return try result.get()
    }

    /// ``writeSnapshot(_:floor:nextOrganizationID:configuration:)`` on the calling thread.
    nonisolated static func writeSnapshotNow(
        _ captures: [(OrganizationState, UInt64)], floor: UInt64, nextOrganizationID: OrganizationID, configuration: StoreConfiguration
    ) throws(CallsheetError) -> (path: String, bytes: Int, organizations: [OrganizationID: Int]) {
        let counts: [String: UInt64] = [
            "organizations": UInt64(captures.count),
            "contacts": UInt64(captures.reduce(0) { $0 + $1.0.contacts.count }),
            "users": UInt64(captures.reduce(0) { $0 + $1.0.users.count }),
        ]
        do {
            let writer = try SnapshotWriter(
                directory: configuration.directory, header: SnapshotHeader(sequence: floor, counts: counts),
                options: SnapshotWriter.Options(
                    workers: 0, crashPoint: configuration.snapshotCrashPoint, faultInjection: configuration.snapshotFaultInjection))
            do {
                try writer.write(SnapshotCodec.header(nextOrganizationID: nextOrganizationID, count: captures.count))
                // Each organization's content bytes: its share of the file, for INFO.
                var organizations: [OrganizationID: Int] = [:]
                for (state, covered) in captures {
                    try SnapshotCodec.organization(
                        state, covered: covered, imageMinimumContacts: configuration.indexImageMinimumContacts
                    ) { piece in
                        organizations[state.organization.id, default: 0] += piece.count
                        try writer.write(piece)
                    }
                }
                let file = try writer.commit()
                let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
                return (file.path, size, organizations)
            } catch {
                writer.abandon()
                throw error
            }
        } catch {
            throw CallsheetError(.unavailable, "snapshot failed: \(error)")
        }
    }

    /// Snapshots if the schedule says so (record count or elapsed time with writes since). The
    /// store's scheduler calls it about once a second, so it also does the other periodic work:
    /// sampling counters, and (about once a minute) deleting import jobs past their retention.
    public func snapshotIfDue(now: Timestamp = Clock.now()) async {
        counters.sample(now: now)
        if journal != nil { await ImportRunner.for(self).expireIfDue(now: now) }
        if now - persistence.lastRetentionCheck >= 60_000 {
            persistence.lastRetentionCheck = now
            await runRetentionIfDue(now: now)
        }
        // The first tick makes the runner, which removes the files a previous run left.
        if journal != nil { ExportRunner.for(self).expire(now: now) }
        // An erasure whose disk clean-up did not finish (a crash, a busy directory) goes on.
        if journal != nil, !persistence.snapshotInProgress, persistence.erasuresMayBePending { await finishErasures() }
        guard journal != nil, !persistence.snapshotInProgress, recordsSinceSnapshot > 0 else { return }
        let byCount = configuration.snapshotEveryRecords > 0 && recordsSinceSnapshot >= configuration.snapshotEveryRecords
        let since = persistence.lastSnapshotAt ?? startedAt
        let byTime = configuration.snapshotEverySeconds > 0 && now - since >= Timestamp(configuration.snapshotEverySeconds) * 1000
        guard byCount || byTime else { return }
        do {
            try await snapshot()
        } catch {
            logger.warning("scheduled snapshot failed", metadata: ["error": "\(error)"])
        }
    }

    /// Snapshots (when anything was written), closes the journal and releases the directory's
    /// lock: the graceful shutdown path.
    /// - Returns: what did not go cleanly (empty when everything did), each logged as an error:
    ///   a stop that could not write its final snapshot must not report a clean exit.
    @discardableResult
    public func close() async -> [String] {
        var problems: [String] = []
        // Running imports finish first (a graceful stop must not turn them into failures), up
        // to the drain deadline; then the final snapshot holds what they stored.
        if let imports = ImportRunner.existing(for: self) {
            let running = await imports.runningJobs
            if !running.isEmpty {
                logger.notice("waiting for running import jobs", metadata: ["jobs": "\(running)", "deadline_seconds": "\(configuration.jobDrainSeconds)"])
                let left = await imports.drain(timeout: .seconds(configuration.jobDrainSeconds))
                if !left.isEmpty {
                    logger.warning("import jobs still running at the drain deadline are interrupted", metadata: ["jobs": "\(left)"])
                }
            }
            await imports.shutDownSheetClient()
        }
        if journal != nil, recordsSinceSnapshot > 0 {
            do {
                try await snapshot()
            } catch {
                problems.append("the final snapshot failed (\(error.message)); every acknowledged write is in the journal, which the next start replays")
            }
        }
        do {
            try journal?.close()
        } catch {
            problems.append("closing the journal failed (\(error)); the next start checks and replays it")
        }
        for problem in problems { logger.error("unclean stop", metadata: ["problem": "\(problem)"]) }
        lock?.release()
        return problems
    }

    /// Test hook: stops as `kill -9` after the last acknowledgement would. The journal is closed
    /// (what was acknowledged is on disk already), the lock released, nothing else runs: no
    /// final snapshot, no import bookkeeping. The directory can then be opened again.
    public func _simulateCrash() {
        try? journal?.close()
        lock?.release()
    }
}
