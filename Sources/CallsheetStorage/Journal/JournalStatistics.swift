/// Counters a ``JournalWriter`` keeps since it was opened.
public struct JournalStatistics: Sendable, Hashable {
    /// Records accepted by `append`.
    public var recordsAppended: UInt64 = 0
    /// `write` calls that each carried a batch of pending records.
    public var batchesWritten: UInt64 = 0
    /// `fsync` calls on segment files (group commit makes this smaller than `recordsAppended`).
    public var fsyncs: UInt64 = 0
    public var bytesWritten: UInt64 = 0
    /// Segments created, including the first.
    public var segmentsCreated: UInt64 = 0
    /// Times the writer entered its failed state.
    public var failures: UInt64 = 0
}
