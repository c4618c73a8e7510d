/// A snapshot in a data directory: `snapshot-<sequence, 20 digits>.zst`. Names sort by sequence.
public struct SnapshotFile: Sendable, Hashable, Comparable {
    /// The journal sequence the snapshot covers, from its name.
    public var sequence: UInt64
    public var path: String

    public init(directory: String, sequence: UInt64) {
        self.sequence = sequence
        self.path = FileSystem.join(directory, Self.name(sequence: sequence))
    }

    init(sequence: UInt64, path: String) {
        self.sequence = sequence
        self.path = path
    }

    public static func < (a: Self, b: Self) -> Bool { a.sequence < b.sequence }

    static let prefix = "snapshot-"
    static let suffix = ".zst"
    /// Appended to a snapshot's name while it is being written.
    static let temporarySuffix = ".tmp"

    static func name(sequence: UInt64) -> String { prefix + zeroPadded(sequence) + suffix }

    static func parse(_ name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(prefix) && name.hasSuffix(suffix + temporarySuffix)
    }

    /// The snapshots in `directory`, newest first. Temporary files are never listed.
    public static func list(in directory: String) throws(StorageError) -> [SnapshotFile] {
        try FileSystem.list(directory)
            .compactMap { name in parse(name).map { SnapshotFile(directory: directory, sequence: $0) } }
            .sorted(by: >)
    }
}
