import CallsheetCore
import CallsheetStorage
import Foundation
import Logging

/// `callsheet restore`: rebuilds a data directory from a backup file (snapshot and journal: the
/// state at the backup's sequence) or from a bare snapshot file (the state at its sequence; what
/// came after is not in it, and the report says so). docs/STORAGE.md, "Operating".
///
/// All or nothing: the source is verified whole before anything is written; the files go into a
/// hidden sibling, `.<name>.restoring`, which is opened once as a store would open it (recovery
/// replays the journal) and only then renamed to the target. On any failure the sibling is
/// removed and the target does not exist, so a retry starts clean. A sibling left by a restore
/// that was killed is removed by the next one.
public enum DataDirectoryRestore {
    /// What a restore restored.
    public struct Report: Sendable {
        /// What the source file was.
        public enum Source: Sendable {
            case backup(BackupManifest)
            case snapshot(SnapshotHeader)
        }

        public var source: Source
        /// The restored data directory.
        public var directory: String
        /// The restored state holds every record up to this sequence.
        public var sequence: UInt64
        public var organizations: Int
        public var contacts: Int
        public var users: Int
        /// What recovery did when the restored directory was opened.
        public var recovery: String

        /// For a bare snapshot, what it does not hold; nil for a backup, which holds everything
        /// up to its sequence.
        public var loss: String? {
            guard case .snapshot(let header) = source else { return nil }
            return "this is a bare snapshot: it holds the data directory as of journal sequence \(header.sequence), taken \(TimestampFormat.iso8601(header.createdAtMilliseconds)); every change after that (contacts, users, fields, imports) is not in it and is lost unless the journal that followed it is kept elsewhere. `callsheet backup` writes files that hold the journal too."
        }
    }

    /// Restores `source` into `target`, which must not exist or be an empty directory.
    /// - Throws: `BAD_REQUEST` for a source that is not a backup or snapshot, or is damaged (the
    ///   message names the file and offset); `CONFLICT` for a target that holds anything or that
    ///   another restore is filling; `UNAVAILABLE` when writing or opening fails. Nothing is left
    ///   behind in every case.
    public static func restore(from source: String, into target: String, logger: Logger) async throws(CallsheetError) -> Report {
        let kind = try verifiedSource(source)
        let target = target.count > 1 && target.hasSuffix("/") ? String(target.dropLast()) : target
        try checkTarget(target)
        let staging = try prepareStaging(for: target)
        do throws(CallsheetError) {
            var report = try await fill(staging, from: source, kind: kind, logger: logger)
            // rename(2) also replaces an empty target directory, atomically.
            guard rename(staging, target) == 0 else {
                throw CallsheetError(.unavailable, "cannot move the restored directory into place at \(target): \(String(cString: strerror(errno)))")
            }
            syncDirectory(parent(of: target))
            report.directory = target
            return report
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    private enum Kind { case backup, snapshot }

    /// Tells a backup from a snapshot and verifies it whole, before anything is created.
    private static func verifiedSource(_ source: String) throws(CallsheetError) -> Kind {
        guard FileManager.default.fileExists(atPath: source) else { throw CallsheetError(.badRequest, "\(source): no such file") }
        let handle = FileHandle(forReadingAtPath: source)
        let magic = ((try? handle?.read(upToCount: 8)) ?? nil).map { Array($0) } ?? []
        try? handle?.close()
        do {
            if magic == BackupFormat.magic {
                try BackupReader.verify(path: source)
                return .backup
            }
            guard magic == SnapshotHeader.magic else {
                throw CallsheetError(.badRequest, "\(source) is neither a Callsheet backup nor a snapshot (it does not start with CSBKUP or CSSNAP); nothing was restored")
            }
            try SnapshotReader.verify(path: source)
            return .snapshot
        } catch let error as CallsheetError {
            throw error
        } catch {
            throw CallsheetError(.badRequest, "\(source) cannot be restored, nothing was written: \(error)")
        }
    }

    /// A target that exists must be an empty directory.
    private static func checkTarget(_ target: String) throws(CallsheetError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw CallsheetError(.conflict, "\(target) is a file; restore into a new data directory") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? ["?"]
        guard entries.isEmpty else {
            throw CallsheetError(
                .conflict,
                "restore needs a new data directory; \(target) already holds \(entries.sorted().prefix(3).joined(separator: ", "))\(entries.count > 3 ? ", …" : ""). Nothing was changed.")
        }
    }

    /// Makes a fresh, private `.<name>.restoring` beside the target, removing one an interrupted
    /// restore left (unless a running restore holds its lock).
    private static func prepareStaging(for target: String) throws(CallsheetError) -> String {
        let parentPath = parent(of: target)
        do {
            try FileManager.default.createDirectory(atPath: parentPath, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CallsheetError(.unavailable, "cannot create \(parentPath): \(error.localizedDescription)")
        }
        let staging = parentPath + "/." + (target as NSString).lastPathComponent + ".restoring"
        if FileManager.default.fileExists(atPath: staging) {
            do {
                let lock = try DataDirectoryLock.acquire(directory: staging, advice: "Another restore into \(target) is running; wait for it.")
                lock.release()
            } catch where error.code == .directoryLocked {
                throw CallsheetError(.conflict, error.message)
            } catch {
                // Not a directory we can lock: removed below all the same.
            }
            do {
                try FileManager.default.removeItem(atPath: staging)
            } catch {
                throw CallsheetError(.unavailable, "cannot remove \(staging), left by an interrupted restore: \(error.localizedDescription)")
            }
        }
        guard mkdir(staging, 0o700) == 0 else {
            throw CallsheetError(.unavailable, "cannot create \(staging): \(String(cString: strerror(errno)))")
        }
        return staging
    }

    /// Writes the files into `staging`, opens it once as a store and counts what it holds.
    private static func fill(_ staging: String, from source: String, kind: Kind, logger: Logger) async throws(CallsheetError) -> Report {
        let origin: Report.Source
        let sequence: UInt64
        do {
            switch kind {
            case .backup:
                let lock = try DataDirectoryLock.acquire(directory: staging, advice: "Another restore into this directory is running; wait for it.")
                defer { lock.release() }
                let manifest = try BackupReader.extract(path: source, into: staging)
                origin = .backup(manifest)
                sequence = manifest.sequence
            case .snapshot:
                let header = try StorageVerifier.restore(snapshot: source, into: staging)
                origin = .snapshot(header)
                sequence = header.sequence
            }
        } catch where error.code == .backupCorrupt || error.code == .snapshotCorrupt {
            throw CallsheetError(.badRequest, "\(source) cannot be restored, nothing was written: \(error)")
        } catch {
            throw CallsheetError(.unavailable, "restore failed, nothing was written: \(error)")
        }
        var configuration = StoreConfiguration(directory: staging)
        configuration.snapshotEveryRecords = 0
        configuration.snapshotEverySeconds = 0
        configuration.lockAdvice = "Another process opened the directory being restored; stop it and restore again."
        let directory: ShardDirectory
        do {
            directory = try ShardDirectory.open(configuration, logger: logger)
        } catch {
            throw CallsheetError(.unavailable, "the restored files do not open as a data directory, nothing was restored: \(error.message)")
        }
        var report = Report(source: origin, directory: staging, sequence: sequence, organizations: 0, contacts: 0, users: 0, recovery: await directory.recoveryReport)
        for id in await directory.organizationIDs {
            guard let shard = await directory.shard(id) else { continue }
            let counts = try? await shard.read { state in (state.contacts.count, state.users.count) }
            report.organizations += 1
            report.contacts += counts?.0 ?? 0
            report.users += counts?.1 ?? 0
        }
        let problems = await directory.close()
        guard problems.isEmpty else {
            throw CallsheetError(.unavailable, "the restored directory did not close cleanly, nothing was restored: \(problems.joined(separator: "; "))")
        }
        return report
    }

    private static func parent(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
