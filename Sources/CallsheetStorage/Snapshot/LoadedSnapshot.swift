/// A verified snapshot read into memory, and any newer snapshots that failed verification.
public struct LoadedSnapshot: Sendable {
    /// A snapshot that did not verify, and why.
    public struct Rejected: Sendable, Hashable {
        public var file: SnapshotFile
        public var error: StorageError
    }

    public var file: SnapshotFile
    public var header: SnapshotHeader
    /// The uncompressed content, exactly as written.
    public var content: [UInt8]
    /// Newer snapshots that were skipped, newest first.
    public var rejected: [Rejected] = []
}
