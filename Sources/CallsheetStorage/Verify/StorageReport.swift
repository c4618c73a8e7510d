/// What ``StorageVerifier/verify(path:)`` found in a data directory or a single file.
/// Its `description` is the text `callsheet verify` prints.
public struct StorageReport: Sendable, Hashable {
    /// One snapshot file and whether it fully verified.
    public struct Snapshot: Sendable, Hashable {
        public var file: String
        /// From the header if it could be read, else from the file name.
        public var sequence: UInt64?
        public var header: SnapshotHeader?
        /// `nil` if the snapshot verified.
        public var error: StorageError?
        public var isValid: Bool { error == nil }
    }

    /// One journal segment.
    public struct Segment: Sendable, Hashable {
        public var file: String
        public var bytes: Int
        public var records: Int
        public var firstSequence: UInt64?
        public var lastSequence: UInt64?
    }

    /// A damaged spot in the journal.
    public struct Damage: Sendable, Hashable {
        public var file: String
        public var offset: Int64
        public var reason: String
    }

    /// The journal as a whole.
    public struct Journal: Sendable, Hashable {
        public var segments: [Segment]
        /// Valid records before any damage.
        public var records: Int
        public var firstSequence: UInt64?
        public var lastSequence: UInt64?
        /// A torn tail recovery would cut off (not an error).
        public var tornTail: Damage?
        /// Damage followed by valid records: startup refuses without `--repair`.
        public var corruption: Damage?
    }

    public var path: String
    /// Newest first.
    public var snapshots: [Snapshot]
    public var journal: Journal?

    /// The newest snapshot verifies (or there is none) and the journal has no corruption.
    public var isHealthy: Bool {
        (snapshots.first?.isValid ?? true) && journal?.corruption == nil
    }
}

extension StorageReport: CustomStringConvertible {
    public var description: String {
        var lines = ["verify \(path): \(isHealthy ? "OK" : "PROBLEMS FOUND")"]
        if !snapshots.isEmpty { lines.append("snapshots (newest first):") }
        for snapshot in snapshots {
            let name = FileSystem.fileName(snapshot.file)
            if let header = snapshot.header, snapshot.isValid {
                let counts = header.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                lines.append(
                    "  ok       \(name)  seq \(header.sequence)  \(header.contentLength) bytes -> \(header.compressedLength) compressed  \(counts)")
            } else {
                lines.append("  INVALID  \(name)  \(snapshot.error.map { "\($0.message)" } ?? "")")
            }
        }
        if let journal {
            let range = journal.firstSequence.map { "seq \($0)–\(journal.lastSequence ?? $0)" } ?? "no records"
            lines.append("journal: \(journal.segments.count) segment(s), \(journal.records) record(s), \(range)")
            for segment in journal.segments {
                let seqs = segment.firstSequence.map { " seq \($0)–\(segment.lastSequence ?? $0)" } ?? ""
                lines.append("  \(FileSystem.fileName(segment.file))  \(segment.bytes) bytes  \(segment.records) record(s)\(seqs)")
            }
            if let torn = journal.tornTail {
                lines.append("  torn tail at \(FileSystem.fileName(torn.file)) offset \(torn.offset): \(torn.reason) (recovery cuts it off)")
            }
            if let bad = journal.corruption {
                lines.append(
                    "  CORRUPT at \(bad.file) offset \(bad.offset): \(bad.reason); valid records follow (start with --repair to keep what precedes it)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
