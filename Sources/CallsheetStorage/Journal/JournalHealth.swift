/// Whether a ``JournalWriter`` accepts appends.
public enum JournalHealth: Sendable, Hashable {
    case healthy
    /// A write or fsync failed. Appends throw ``StorageError/Code/journalUnavailable`` until a
    /// periodic probe finds the disk writable again.
    case failed(StorageError)

    public var isHealthy: Bool {
        if case .healthy = self { return true }
        return false
    }

    /// While failed: why writes are refused and what to do, as a refused write is told (no
    /// path, for any client to read). Nil while healthy.
    public var refusal: String? {
        guard case .failed(let cause) = self else { return nil }
        return GroupCommitState<Never>.unavailable(cause).message
    }
}
