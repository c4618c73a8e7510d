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
}
