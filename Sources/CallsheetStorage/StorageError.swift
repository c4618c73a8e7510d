#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from the storage layer: a stable ``Code`` to branch on, a message a person can act on,
/// and where known the file, the byte offset in it, and the operating-system error number.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for the kind of failure. Compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case ioFailure = "IO_FAILURE"
            case journalUnavailable = "JOURNAL_UNAVAILABLE"
            case journalCorrupt = "JOURNAL_CORRUPT"
            case journalGap = "JOURNAL_GAP"
            case journalAhead = "JOURNAL_AHEAD"
            case recordTooLarge = "RECORD_TOO_LARGE"
            case closed = "CLOSED"
            case invalidArgument = "INVALID_ARGUMENT"
            case snapshotCorrupt = "SNAPSHOT_CORRUPT"
            case snapshotNotFound = "SNAPSHOT_NOT_FOUND"
            case compressionFailed = "COMPRESSION_FAILED"
            case directoryNotEmpty = "DIRECTORY_NOT_EMPTY"
            case simulatedCrash = "SIMULATED_CRASH"
            case directoryLocked = "DIRECTORY_LOCKED"
            case recordUnreadable = "RECORD_UNREADABLE"
            case newerFormat = "NEWER_FORMAT"
            case backupCorrupt = "BACKUP_CORRUPT"
            case coldSegmentCorrupt = "COLD_SEGMENT_CORRUPT"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A read, write, fsync, rename or other system call failed; see ``StorageError/errno``.
        public static let ioFailure = Code(.ioFailure)
        /// The journal is in its failed state after a write or fsync error; writes are refused until a probe succeeds.
        public static let journalUnavailable = Code(.journalUnavailable)
        /// A journal record is damaged and valid records follow it: not a torn tail.
        public static let journalCorrupt = Code(.journalCorrupt)
        /// Journal records are missing between the snapshot and the journal, or between segments.
        public static let journalGap = Code(.journalGap)
        /// The journal holds records beyond the sequence a writer was told to start at.
        public static let journalAhead = Code(.journalAhead)
        /// A payload exceeds ``JournalFormat/maximumPayloadLength``.
        public static let recordTooLarge = Code(.recordTooLarge)
        /// The journal writer was closed.
        public static let closed = Code(.closed)
        /// A caller passed an argument the storage layer cannot use.
        public static let invalidArgument = Code(.invalidArgument)
        /// A snapshot's header, frame or content checksum does not verify.
        public static let snapshotCorrupt = Code(.snapshotCorrupt)
        /// No snapshot file where one was expected.
        public static let snapshotNotFound = Code(.snapshotNotFound)
        /// libzstd reported an error.
        public static let compressionFailed = Code(.compressionFailed)
        /// A restore target directory already holds snapshots or journal segments.
        public static let directoryNotEmpty = Code(.directoryNotEmpty)
        /// A test hook stopped a snapshot commit at a chosen step.
        public static let simulatedCrash = Code(.simulatedCrash)
        /// Another process (or another open in this one) holds the data directory's lock.
        public static let directoryLocked = Code(.directoryLocked)
        /// A journal record whose checksum verifies could not be decoded or applied by its owner.
        public static let recordUnreadable = Code(.recordUnreadable)
        /// A file written by a newer release in a format this build does not read: not damage.
        public static let newerFormat = Code(.newerFormat)
        /// A backup file is damaged, truncated, or not a backup (``path`` and ``offset`` say where).
        public static let backupCorrupt = Code(.backupCorrupt)
        /// A cold call segment's bytes fail their checksums or do not decode.
        public static let coldSegmentCorrupt = Code(.coldSegmentCorrupt)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    /// The file or directory involved, if any.
    public var path: String?
    /// The byte offset in ``path`` where the problem starts, if meaningful.
    public var offset: Int64?
    /// The `errno` of the failing system call, if any.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, path: String? = nil, offset: Int64? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.errno = errno
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let path { text += " [file \(path)" + (offset.map { " offset \($0)" } ?? "") + "]" }
        if let errno { text += " (\(String(cString: strerror(errno))), errno \(errno))" }
        return text
    }

    /// The message and the system's reason (`No space left on device`), without the code or the
    /// file: what a client of the store may be shown.
    public var clientMessage: String {
        errno.map { "\(message) (\(String(cString: strerror($0))))" } ?? message
    }

    static func io(_ operation: String, path: String, errno: Int32) -> StorageError {
        StorageError(.ioFailure, "\(operation) failed", path: path, errno: errno)
    }
}
