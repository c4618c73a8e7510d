/// What ``JournalReader/replay(directory:after:repair:dryRun:logger:_:)`` did.
public struct ReplaySummary: Sendable, Hashable {
    /// A torn tail that was cut off: an interrupted last write, or zeros left by a power loss.
    public struct TornTail: Sendable, Hashable {
        public var file: String
        /// Where the first incomplete record started; the file now ends here.
        public var offset: Int64
        public var reason: String
        /// Bytes removed from `file` (later segments holding no valid record are removed too).
        public var bytesRemoved: Int64
        public var segmentsRemoved: [String]
    }

    /// Damaged bytes in the journal (outside a torn tail).
    public struct Damage: Sendable, Hashable {
        public var file: String
        public var offset: Int64
        public var bytes: Int64
        public var reason: String
    }

    /// Acknowledged records that could not be read: sequences `first...last`.
    public struct Lost: Sendable, Hashable {
        public var first: UInt64
        public var last: UInt64
        public var file: String
        public var offset: Int64
        public var reason: String
        public var count: UInt64 { last - first + 1 }
    }

    /// What `repair: true` changed: unreadable bytes moved aside, segments rewritten without them.
    public struct Repair: Sendable, Hashable {
        /// The first damaged spot.
        public var file: String
        public var offset: Int64
        public var reason: String
        /// Where the unreadable bytes now are (`*.corrupt`), one file per rewritten segment.
        public var movedAside: [String]
        /// Records lost for good: unreadable, above the snapshot.
        public var recordsLost: UInt64
        /// Valid records after the first loss that were kept and replayed.
        public var recordsKeptAfterDamage: Int
    }

    /// Records passed to the handler (those with a sequence above `after`).
    public var recordsApplied: Int
    /// The highest sequence known to be applied: the last record replayed, or `after` if none was.
    /// A writer continues at `lastSequence + 1`.
    public var lastSequence: UInt64
    public var segments: Int
    public var tornTail: TornTail?
    /// Damaged bytes that cost no acknowledged record: at or below the snapshot, or between
    /// records that all survived. Replay resynchronised after each.
    public var skippedDamage: [Damage] = []
    /// Records that could not be read (damaged bytes, missing segments, payloads that do not
    /// decode). Non-empty only with `repair: true` (or `dryRun`); otherwise replay throws.
    public var lost: [Lost] = []
    /// Valid records seen again after their sequence was replayed (a duplicated segment); skipped.
    public var duplicatesSkipped: Int = 0
    public var repair: Repair?

    /// Acknowledged records lost for good.
    public var recordsLost: UInt64 { lost.reduce(0) { $0 + $1.count } }

    /// The journal now has a hole in its sequence numbers (records were lost): a snapshot must
    /// cover it before the next start, or that start refuses again.
    public var needsSnapshot: Bool { !lost.isEmpty }
}
