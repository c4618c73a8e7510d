import CallsheetCore
import CallsheetStorage
import Foundation

extension ShardDirectory {
    /// `COMPACT`: a snapshot, the journal cut where it starts, and every snapshot and journal
    /// segment retention no longer needs removed (docs/STORAGE.md, "Compaction"). Reports the
    /// data directory's bytes before and after and what was removed.
    public func compact() async throws(CallsheetError) -> JSONValue {
        try await exclusively { directory throws(CallsheetError) in
            let path = directory.configuration.directory
            let before = DataDirectoryUsage(path)
            let outcome = try await directory.snapshotNow()
            let after = DataDirectoryUsage(path)
            return .object([
                ("sequence", .integer(Int64(outcome.sequence))),
                ("snapshot", .string(outcome.file)),
                ("bytes_before", .integer(before.bytes)),
                ("bytes_after", .integer(after.bytes)),
                ("removed_snapshots", .array(outcome.removedSnapshots.map { .string(FileManager.default.displayName(atPath: $0)) })),
                ("removed_journal_segments", .array(outcome.removedSegments.map { .string(FileManager.default.displayName(atPath: $0)) })),
                ("snapshots", .integer(Int64(after.snapshots))),
                ("journal_segments", .integer(Int64(after.segments))),
                ("milliseconds", .integer(outcome.milliseconds)),
            ])
        }
    }

    /// `BACKUP <path>`: writes one file holding a fresh snapshot and every journal record after
    /// it up to the last acknowledged one (docs/STORAGE.md, "Backup files"), verified before it
    /// takes its name. Writes go on meanwhile.
    /// - Parameter path: an absolute path outside the data directory, where no file is yet.
    /// - Throws: `BAD_REQUEST` for a path that cannot be used (nothing is written), `CONFLICT`
    ///   while another snapshot or backup runs, `UNAVAILABLE` when writing fails (nothing is left).
    public func backup(to path: String) async throws(CallsheetError) -> JSONValue {
        try Self.checkBackupPath(path, dataDirectory: configuration.directory)
        return try await exclusively { directory throws(CallsheetError) in
            guard let journal = directory.journal else { throw CallsheetError(.unavailable, "this store has no data directory") }
            let started = Clock.now()
            let outcome = try await directory.snapshotNow()
            // Every record acknowledged by now, the ones the snapshot's organizations cover included.
            let sequence = max(journal.acknowledgedSequence, outcome.sequence)
            let manifest = try await Self.writeBackup(to: path, snapshot: outcome.file, directory: directory.configuration.directory, through: sequence)
            directory.logger.info("backup written", metadata: ["file": "\(path)", "sequence": "\(sequence)", "bytes": "\(manifest.bytes)"])
            return .object([
                ("file", .string(path)),
                ("sequence", .integer(Int64(manifest.sequence))),
                ("snapshot_sequence", .integer(Int64(manifest.snapshotSequence))),
                ("journal_records", .integer(Int64(manifest.journalRecords))),
                ("bytes", .integer(Int64(manifest.bytes))),
                ("organizations", .integer(Int64(outcome.organizations))),
                ("contacts", .integer(Int64(outcome.contacts))),
                ("milliseconds", .integer(Clock.now() - started)),
            ])
        }
    }

    /// Writes the file off the actor.
    nonisolated private static func writeBackup(
        to path: String, snapshot: String, directory: String, through sequence: UInt64
    ) async throws(CallsheetError) -> BackupManifest {
        do {
            return try BackupWriter.write(to: path, snapshot: snapshot, journalDirectory: directory, through: sequence, coldDirectory: directory + "/cold")
        } catch where error.code == .invalidArgument {
            throw CallsheetError(.badRequest, "\(error.message)\(error.path.map { " (\($0))" } ?? "")")
        } catch {
            throw CallsheetError(.unavailable, "backup failed, nothing was written: \(error)")
        }
    }

    /// Refuses a backup path that is relative, inside the data directory, taken, or in a
    /// directory that does not exist.
    nonisolated static func checkBackupPath(_ path: String, dataDirectory: String) throws(CallsheetError) {
        guard path.hasPrefix("/") else {
            throw CallsheetError(.badRequest, "BACKUP needs an absolute path on the server's machine (got '\(path.prefix(200))'); `callsheet backup --to FILE` makes one for you")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CallsheetError(.badRequest, "\(path) exists already; a backup never overwrites a file: choose a new name")
        }
        let parent = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CallsheetError(.badRequest, "the directory \(parent) does not exist; create it first")
        }
        if let resolvedParent = realPath(parent), let resolvedData = realPath(dataDirectory),
            resolvedParent == resolvedData || resolvedParent.hasPrefix(resolvedData + "/")
        {
            throw CallsheetError(.badRequest, "a backup inside the data directory is lost with it; write it to another disk or directory")
        }
    }
}

/// What a data directory takes on disk: every file in it, its subdirectories included.
struct DataDirectoryUsage {
    var bytes: Int64 = 0
    var snapshots = 0
    var segments = 0

    init(_ path: String) {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return }
        for case let relative as String in walker {
            let attributes = walker.fileAttributes
            guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            bytes += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            guard !relative.contains("/") else { continue }
            if relative.hasPrefix("snapshot-"), relative.hasSuffix(".zst") { snapshots += 1 }
            if relative.hasPrefix("journal-"), relative.hasSuffix(".log") { segments += 1 }
        }
    }
}

/// The absolute path with every symbolic link resolved (`realpath(3)`); nil if it does not exist.
func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
