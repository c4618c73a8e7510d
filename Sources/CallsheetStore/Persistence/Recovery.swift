import CallsheetCore
import CallsheetStorage
import Foundation
import Logging

/// Rebuilds a data directory's state from its newest usable snapshot and the journal after it.
/// `ShardDirectory.open` runs it before anything is served; `callsheet verify` runs it as a dry
/// run, so verify passes exactly the directories that start. Rules: docs/STORAGE.md, "Recovery".
enum Recovery {
    struct Outcome {
        var state: RecoveredState
        /// One line per thing recovery did or found, for the log and INFO.
        var report: [String]
        var replay: ReplaySummary
        /// Snapshot files that were passed over (damaged, undecodable, or from a newer release).
        var rejectedSnapshots: [LoadedSnapshot.Rejected]
        /// The snapshot the state was loaded from.
        var snapshotFile: String?
        /// Writes were lost (repaired journal, or a passed-over snapshot the journal does not
        /// reach): a snapshot must be written before anything else.
        var needsSnapshot: Bool
    }

    /// Loads the newest snapshot that verifies AND decodes (a snapshot whose checksums are right
    /// but whose content does not decode falls back exactly like a damaged one), then replays the
    /// journal after it.
    /// - Parameters:
    ///   - repair: replay every readable record past damage that lost acknowledged records, and
    ///     set the unreadable bytes aside (see ``JournalReader/replay(directory:after:repair:dryRun:logger:_:)``).
    ///   - dryRun: change nothing on disk; report instead of refusing for journal damage.
    static func run(directory path: String, repair: Bool, dryRun: Bool, logger: Logger) throws -> Outcome {
        var recovered = RecoveredState()
        var report: [String] = []
        var rejected: [LoadedSnapshot.Rejected] = []
        var snapshotFile: String?
        do {
            let started = ContinuousClock.now
            var decodeStarted = started
            let found = try SnapshotReader.loadNewestUsable(directory: path, logger: logger) { loaded throws(StorageError) in
                decodeStarted = ContinuousClock.now
                return try decodeSnapshot(loaded)
            }
            if let (loaded, state) = found {
                let finished = ContinuousClock.now
                logger.info("snapshot loaded", metadata: [
                    "file": "\(loaded.file.path)",
                    "read_and_decompressed_ms": "\((decodeStarted - started).milliseconds)",
                    "decoded_and_indexed_ms": "\((finished - decodeStarted).milliseconds)",
                ])
                recovered = state
                rejected = loaded.rejected
                snapshotFile = loaded.file.path
                recovered.persistence.lastSnapshotSequence = loaded.header.sequence
                recovered.persistence.lastSnapshotAt = loaded.header.createdAtMilliseconds
                // INFO reports the newest snapshot's size after a restart too.
                recovered.persistence.lastSnapshotBytes = ((try? FileManager.default.attributesOfItem(atPath: loaded.file.path)[.size]) as? Int) ?? 0
                report.append("snapshot \(loaded.file.path) (sequence \(loaded.header.sequence))")
            }
        } catch let error as SnapshotReader.NoUsableSnapshot {
            // No snapshot is usable: the journal alone may still hold everything (it must start at 1).
            rejected = error.rejected
            report.append("no snapshot is usable; replaying the whole journal")
        }
        for snapshot in rejected {
            report.append("snapshot \(snapshot.file.path) passed over: \(snapshot.error.message)")
            logger.warning("snapshot passed over", metadata: ["file": "\(snapshot.file.path)", "reason": "\(snapshot.error)"])
        }
        let replayAfter = try recovered.replayStart(journalStartsAt: JournalSegmentFile.list(in: path).first?.firstSequence)
        let summary: ReplaySummary
        do {
            summary = try JournalReader.replay(directory: path, after: replayAfter, repair: repair, dryRun: dryRun, logger: logger) { record in
                guard record.type == JournalRecordType.changeSet else {
                    throw CallsheetError(.internal, "journal record \(record.sequence) has unknown type \(record.type) (written by a newer release?)")
                }
                try recovered.apply(try RecordCodec.decodeChangeSet(record.payload), sequence: record.sequence)
            }
        } catch var error as StorageError where !rejected.isEmpty {
            // Say why an older snapshot (or none) was used: that is what left the journal short.
            error.message += " (newer snapshots were passed over: "
                + rejected.map { "\(($0.file.path as NSString).lastPathComponent): \($0.error.message)" }.joined(separator: "; ") + ")"
            throw error
        }
        // A snapshot taken under writes covers some organizations past its header sequence; the
        // journal must continue after those, or a restored directory would reuse their sequences.
        recovered.lastSequence = max(summary.lastSequence, recovered.snapshotSequence, recovered.newestCovered)
        // A passed-over snapshot proves writes through its sequence were acknowledged: the journal
        // must reach that far, or those writes exist only in the file that cannot be used.
        var snapshotLoss = false
        if let newest = rejected.max(by: { $0.file.sequence < $1.file.sequence }), newest.file.sequence > recovered.lastSequence {
            let missing = "the journal reaches only sequence \(recovered.lastSequence), so the acknowledged writes \(recovered.lastSequence + 1)–\(newest.file.sequence) exist only in that file"
            guard repair || dryRun else {
                throw StorageError(
                    newest.error.code,
                    "snapshot cannot be used (\(newest.error.message)) and \(missing). Put back a good copy of it (or restore a backup); or start with --repair to run without those writes",
                    path: newest.file.path)
            }
            report.append("snapshot \(newest.file.path) unusable and \(missing): they are lost")
            if !dryRun {
                // Set the file aside so the new snapshot (at or after its sequence) cannot replace it.
                let aside = FileSystem.unusedPath(newest.file.path, suffix: ".unusable")
                try FileManager.default.moveItem(atPath: newest.file.path, toPath: aside)
                report.append("unusable snapshot moved to \(aside)")
                recovered.lastSequence = newest.file.sequence
                snapshotLoss = true
            }
        }
        report.append("journal: \(summary.recordsApplied) records replayed through sequence \(recovered.lastSequence)")
        if let torn = summary.tornTail {
            report.append("torn journal tail \(dryRun ? "to cut" : "cut") at \(torn.file) offset \(torn.offset) (\(torn.reason))")
            logger.warning("journal torn tail", metadata: ["file": "\(torn.file)", "offset": "\(torn.offset)"])
        }
        for damage in summary.skippedDamage {
            report.append("journal damage skipped at \(damage.file) offset \(damage.offset) (\(damage.bytes) bytes, \(damage.reason)): no acknowledged record lost")
        }
        if summary.duplicatesSkipped > 0 {
            report.append("\(summary.duplicatesSkipped) duplicate journal records skipped")
        }
        if !summary.lost.isEmpty {
            var ranges = summary.lost.prefix(5).map { "\($0.first == $0.last ? "\($0.first)" : "\($0.first)–\($0.last)") at \($0.file) offset \($0.offset) (\($0.reason))" }
            if summary.lost.count > 5, let last = summary.lost.last {
                ranges.append("and \(summary.lost.count - 5) more spot(s) through sequence \(last.last)")
            }
            report.append("\(summary.recordsLost) acknowledged record(s) unreadable: " + ranges.joined(separator: "; "))
        }
        if let repair = summary.repair {
            report.append(
                "journal repaired: \(repair.recordsLost) record(s) lost, \(repair.recordsKeptAfterDamage) record(s) after the damage kept; unreadable bytes moved to \(repair.movedAside.joined(separator: ", "))")
        }
        return Outcome(
            state: recovered, report: report, replay: summary, rejectedSnapshots: rejected, snapshotFile: snapshotFile,
            needsSnapshot: summary.needsSnapshot || snapshotLoss)
    }

    /// Decodes a verified snapshot's content; any failure is the snapshot's, named with its file.
    static func decodeSnapshot(_ loaded: LoadedSnapshot) throws(StorageError) -> RecoveredState {
        if let version = SnapshotCodec.contentVersion(loaded.content), version > SnapshotCodec.version {
            throw StorageError(
                .newerFormat,
                "written by a newer release of Callsheet (snapshot content version \(version); this build reads \(SnapshotCodec.version)): not damage; an older snapshot is used if the journal reaches back to it",
                path: loaded.file.path)
        }
        do {
            return try SnapshotCodec.decode(loaded.content, snapshotSequence: loaded.header.sequence)
        } catch {
            // Offsets in the message count in the decompressed content.
            throw StorageError(
                .snapshotCorrupt, "snapshot content verifies but does not decode: \(error.message) of the content", path: loaded.file.path)
        }
    }
}

extension ShardDirectory {
    /// A dry run of opening `directory` (it must be locked by the caller, e.g. under
    /// `StorageVerifier.verify`'s shared lock): every usable snapshot and every journal record
    /// after it is decoded and applied in memory, nothing on disk changes. `callsheet verify` prints it.
    public static func startupCheck(directory: String) -> StorageReport.Startup {
        // What it finds goes into the report, not the log.
        var logger = Logger(label: "callsheet.verify")
        logger.logLevel = .critical
        do {
            let outcome = try Recovery.run(directory: directory, repair: false, dryRun: true, logger: logger)
            var refusal: String?
            if let first = outcome.replay.lost.first {
                refusal = "\(outcome.replay.recordsLost) acknowledged record(s) cannot be read or applied (a start with --repair would lose them), the first at \(first.file) offset \(first.offset) (\(first.reason))"
            }
            // The text indexes a start would serve from (read from snapshot images, then
            // changed by the journal's records), checked against the contacts.
            var lines = outcome.report
            var indexProblems: [String] = []
            for (id, state) in outcome.state.organizations.sorted(by: { $0.key < $1.key }) {
                do {
                    lines.append("text index of organization \(id) matches its contacts: \(try state.textIndex.verify(against: state.contacts))")
                } catch {
                    indexProblems.append("organization \(id): the text index does not match its contacts: \(error.message)")
                }
            }
            // Cold call segments against their catalogues (docs/STORAGE.md, "Cold call segments").
            let organizations = outcome.state.organizations.sorted(by: { $0.key < $1.key }).map(\.value)
            let segments = organizations.reduce(0) { $0 + $1.calls.cold.segments.count }
            let coldProblems = verifyColdSegments(data: directory, organizations: organizations)
            if segments > 0 { lines.append("cold call segments: \(segments) checked, \(coldProblems.count) damaged or missing") }
            indexProblems += coldProblems
            return StorageReport.Startup(refusal: refusal, lines: lines, indexProblems: indexProblems)
        } catch {
            return StorageReport.Startup(refusal: "\(error)", lines: [])
        }
    }
}

extension Duration {
    /// Whole milliseconds, for logs.
    var milliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}
