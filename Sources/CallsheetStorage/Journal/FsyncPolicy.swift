/// When the journal makes an appended record durable, as Redis's `appendfsync`.
public enum FsyncPolicy: String, Sendable, Hashable, CaseIterable {
    /// Acknowledge after `write` and `fsync`. Concurrent appends share one fsync (group commit).
    case always
    /// Acknowledge after `write`; fsync about once a second. A power loss can lose up to a second.
    case everysec
    /// Acknowledge after `write`; the OS flushes when it likes.
    case no
}
