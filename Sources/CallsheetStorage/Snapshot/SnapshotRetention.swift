/// Deletes old snapshots and leftovers of interrupted snapshot writes.
public enum SnapshotRetention {
    /// Keeps the newest `keep` snapshots (by sequence) and deletes older ones and every
    /// `snapshot-*.zst.tmp`. Call it after a successful ``SnapshotWriter/commit()`` and not while
    /// another snapshot is being written into the same directory.
    ///
    /// Journal segments must be kept back to the OLDEST kept snapshot's sequence, so that recovery
    /// can fall back to it: pass that sequence to ``JournalWriter/removeSegments(coveredThrough:)``.
    /// - Returns: the deleted paths.
    @discardableResult
    public static func apply(directory: String, keep: Int = 2) throws(StorageError) -> [String] {
        guard keep >= 1 else { throw StorageError(.invalidArgument, "keep at least one snapshot (got \(keep))") }
        var removed: [String] = []
        for file in try SnapshotFile.list(in: directory).dropFirst(keep) {
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
    public static func oldestKeptSequence(directory: String, keep: Int = 2) throws(StorageError) -> UInt64? {
        try SnapshotFile.list(in: directory).prefix(max(keep, 1)).last?.sequence
    }
}
