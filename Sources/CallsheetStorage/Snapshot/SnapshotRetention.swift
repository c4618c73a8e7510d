/// Deletes old snapshots and leftovers of interrupted snapshot writes.
public enum SnapshotRetention {
    /// Keeps the newest `keep` USABLE snapshots (by sequence) and deletes older ones and every
    /// `snapshot-*.zst.tmp`. A snapshot that is not usable (damaged, undecodable, from a newer
    /// release) never counts toward `keep`: it is deleted once a usable snapshot newer than it is
    /// kept, and a usable older one is never deleted in its favour. Call it after a successful
    /// ``SnapshotWriter/commit()`` and not while another snapshot is being written into the same directory.
    ///
    /// Journal segments must be kept back to the OLDEST kept snapshot's sequence, so that recovery
    /// can fall back to it: pass that sequence to ``JournalWriter/removeSegments(coveredThrough:)``.
    /// - Parameter isUsable: whether a snapshot file is good; by default, whether it verifies.
    /// - Returns: the deleted paths.
    @discardableResult
    public static func apply(
        directory: String, keep: Int = 2, isUsable: (SnapshotFile) -> Bool = verifies
    ) throws(StorageError) -> [String] {
        guard keep >= 1 else { throw StorageError(.invalidArgument, "keep at least one snapshot (got \(keep))") }
        let (kept, files) = try plan(directory: directory, keep: keep, isUsable: isUsable)
        var removed: [String] = []
        let newestKept = kept.first?.sequence
        for file in files where !kept.contains(file) {
            // An unusable snapshot newer than every kept one stays (nothing supersedes it yet).
            guard let newestKept, file.sequence <= newestKept else { continue }
            try FileSystem.remove(file.path)
            removed.append(file.path)
        }
        for name in try FileSystem.list(directory) where SnapshotFile.isTemporary(name) {
            let path = FileSystem.join(directory, name)
            try FileSystem.remove(path)
            removed.append(path)
        }
        if !removed.isEmpty { try FileSystem.syncDirectory(directory) }
        return removed
    }

    /// The sequence the journal must be kept after: that of the oldest snapshot retention keeps.
    public static func oldestKeptSequence(
        directory: String, keep: Int = 2, isUsable: (SnapshotFile) -> Bool = verifies
    ) throws(StorageError) -> UInt64? {
        try plan(directory: directory, keep: keep, isUsable: isUsable).kept.last?.sequence
    }

    /// Whether a snapshot file fully verifies (header, frame and content checksums).
    public static func verifies(_ file: SnapshotFile) -> Bool {
        (try? SnapshotReader.verify(path: file.path)) != nil
    }

    private static func plan(
        directory: String, keep: Int, isUsable: (SnapshotFile) -> Bool
    ) throws(StorageError) -> (kept: [SnapshotFile], all: [SnapshotFile]) {
        let files = try SnapshotFile.list(in: directory)
        var kept: [SnapshotFile] = []
        for file in files where kept.count < max(keep, 1) && isUsable(file) { kept.append(file) }
        return (kept, files)
    }
}
