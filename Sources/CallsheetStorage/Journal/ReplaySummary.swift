/// What ``JournalReader/replay(directory:after:repair:logger:_:)`` did.
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

    /// Corruption that `repair: true` cut off: everything from `file` at `offset` on was moved aside.
    public struct Repair: Sendable, Hashable {
        public var file: String
        public var offset: Int64
        public var reason: String
        /// Where the cut bytes and any later segments now are (`*.corrupt`).
        public var movedAside: [String]
    }

    /// Records passed to the handler (those with a sequence above `after`).
    public var recordsApplied: Int
    /// The highest sequence known to be applied: the last record replayed, or `after` if none was.
    /// A writer continues at `lastSequence + 1`.
    public var lastSequence: UInt64
    public var segments: Int
    public var tornTail: TornTail?
    public var repair: Repair?
}
