/// A journal segment in a data directory: `journal-<first sequence, 20 digits>.log`.
///
/// Names sort by sequence, so a directory listing sorted by name is the journal in order.
public struct JournalSegmentFile: Sendable, Hashable, Comparable {
    /// The sequence number the segment's first record has (or would have, if it holds none).
    public var firstSequence: UInt64
    /// The full path.
    public var path: String

    public init(directory: String, firstSequence: UInt64) {
        self.firstSequence = firstSequence
        self.path = FileSystem.join(directory, Self.name(firstSequence: firstSequence))
    }

    public static func < (a: Self, b: Self) -> Bool { a.firstSequence < b.firstSequence }

    static let prefix = "journal-"
    static let suffix = ".log"

    static func name(firstSequence: UInt64) -> String {
        prefix + zeroPadded(firstSequence) + suffix
    }

    /// Parses a file name; `nil` for anything that is not exactly a segment name.
    static func parse(_ name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    /// The segments in `directory`, oldest first.
    public static func list(in directory: String) throws(StorageError) -> [JournalSegmentFile] {
        try FileSystem.list(directory)
            .compactMap { name in parse(name).map { JournalSegmentFile(directory: directory, firstSequence: $0) } }
            .sorted()
    }
}

/// `n` as exactly 20 decimal digits, the width of `UInt64.max`.
func zeroPadded(_ n: UInt64) -> String {
    let digits = String(n)
    return String(repeating: "0", count: 20 - digits.count) + digits
}
