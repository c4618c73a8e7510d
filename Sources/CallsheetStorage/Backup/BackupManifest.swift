/// What a backup file holds, as read back from it (``BackupReader``) or just written (``BackupWriter``).
public struct BackupManifest: Sendable, Hashable {
    /// The backup file.
    public var path: String
    /// When the backup was made, milliseconds since 1970-01-01 UTC.
    public var createdAtMilliseconds: Int64
    /// Every journal record up to and including this sequence is in the backup.
    public var sequence: UInt64
    /// The sequence of the snapshot inside; the journal records after it follow.
    public var snapshotSequence: UInt64
    /// Bytes of the snapshot file inside.
    public var snapshotBytes: UInt64
    /// Journal records after the snapshot (`sequence − snapshotSequence`).
    public var journalRecords: UInt64
    /// Bytes of the whole backup file.
    public var bytes: UInt64
    /// Cold call segment files inside (format version 2).
    public var coldSegments: Int = 0
}
