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

    /// Acknowledged records that cannot be read: sequences `first...last`, where, and why.
    public typealias Lost = ReplaySummary.Lost

    /// The journal as a whole, judged against the newest snapshot that verifies.
    public struct Journal: Sendable, Hashable {
        public var segments: [Segment]
        /// Valid records in every segment.
        public var records: Int
        public var firstSequence: UInt64?
        public var lastSequence: UInt64?
        /// A torn tail recovery would cut off (not an error).
        public var tornTail: Damage?
        /// Damaged bytes that cost no acknowledged record (below the snapshot, or junk between
        /// intact records): recovery skips them and starts.
        public var damage: [Damage] = []
        /// Acknowledged records above the snapshot that cannot be read: startup refuses without
        /// `--repair`, which keeps every readable record and reports these as lost.
        public var lost: [Lost] = []
        /// A segment written by a newer release holding records no snapshot covers.
        public var newerRelease: Damage?
        /// Records seen twice (a duplicated segment); skipped.
        public var duplicates = 0

        /// Where the first lost record's damage is, if any.
        public var corruption: Damage? {
            lost.first.map { Damage(file: $0.file, offset: $0.offset, reason: $0.reason) }
        }
    }

    /// What a start on the directory would do: a dry run of recovery that decodes every snapshot
    /// and record (filled in by the store; `nil` when only the files were checked).
    public struct Startup: Sendable, Hashable {
        /// Why a start without `--repair` would refuse, or `nil` if it would start.
        public var refusal: String?
        /// What recovery would do, one line each.
        public var lines: [String]
        /// Indexes of the recovered state that do not match its records (an index image that
        /// disagrees with its contacts), one line each.
        public var indexProblems: [String]

        public init(refusal: String?, lines: [String], indexProblems: [String] = []) {
            self.refusal = refusal
            self.lines = lines
            self.indexProblems = indexProblems
        }
    }

    public var path: String
    /// Newest first.
    public var snapshots: [Snapshot]
    public var journal: Journal?
    public var startup: Startup?

    /// Nothing is wrong: the newest snapshot verifies (or there is none), no acknowledged record
    /// is unreadable, nothing is from a newer release, a start would succeed without `--repair`,
    /// and the indexes it would start with match the records.
    /// Skipped damage and a torn tail are reported but do not make a directory unhealthy.
    public var isHealthy: Bool {
        (snapshots.first?.isValid ?? true) && (journal?.lost.isEmpty ?? true) && journal?.newerRelease == nil
            && startup?.refusal == nil && (startup?.indexProblems.isEmpty ?? true)
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
            for damage in journal.damage {
                lines.append(
                    "  damage skipped at \(FileSystem.fileName(damage.file)) offset \(damage.offset): \(damage.reason) (no acknowledged record lost)")
            }
            if journal.duplicates > 0 { lines.append("  \(journal.duplicates) duplicate record(s) skipped") }
            for lost in journal.lost.prefix(10) {
                let range = lost.first == lost.last ? "record \(lost.first)" : "records \(lost.first)–\(lost.last)"
                lines.append(
                    "  UNREADABLE \(range) at \(lost.file) offset \(lost.offset): \(lost.reason) (start with --repair to keep every readable record)")
            }
            if journal.lost.count > 10 {
                lines.append("  … and \(journal.lost.count - 10) more unreadable spot(s) through sequence \(journal.lost.last?.last ?? 0)")
            }
            if let newer = journal.newerRelease {
                lines.append("  NEWER RELEASE \(newer.file): \(newer.reason)")
            }
        }
        if let startup {
            if let refusal = startup.refusal {
                lines.append("start: REFUSED without --repair: \(refusal)")
            } else {
                lines.append("start: OK")
            }
            for line in startup.lines { lines.append("  \(line)") }
            for problem in startup.indexProblems { lines.append("  INDEX \(problem)") }
        }
        return lines.joined(separator: "\n")
    }
}
