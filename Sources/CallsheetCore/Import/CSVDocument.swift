/// A CSV file read whole: its header, its records, and what the reader had to say about it.
public struct CSVDocument: Sendable {
    /// Column names of the first record, trimmed; a blank name becomes `Column N`.
    public var header: [String]
    /// Every record after the header, blank lines left out, in file order.
    public var records: [CSVRecord]
    /// File-level notes that did not stop the read, e.g. a Windows-1252 decode.
    public var warnings: [ImportIssue]
    /// Size of the file as given, in bytes.
    public var byteCount: Int

    public init(header: [String], records: [CSVRecord], warnings: [ImportIssue] = [], byteCount: Int = 0) {
        self.header = header
        self.records = records
        self.warnings = warnings
        self.byteCount = byteCount
    }
}

/// One record of a CSV file: the line of the file it starts on (the header is line 1) and its fields.
public struct CSVRecord: Sendable, Hashable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// How the bytes of a CSV file are read as text.
public enum CSVEncoding: String, Sendable, Hashable, CaseIterable {
    /// UTF-8 (a byte-order mark is skipped). Anything else is refused with the byte offset.
    case utf8 = "utf-8"
    /// Windows-1252, as Excel saves "CSV" on Western Windows; decoding adds a warning.
    case windows1252 = "windows-1252"

    /// Reads an `ENCODING` argument: `utf-8`, `utf8`, `windows-1252`, `cp1252`, `latin1`.
    public static func parse(_ text: String) -> CSVEncoding? {
        switch text.lowercased() {
        case "utf-8", "utf8": .utf8
        case "windows-1252", "cp1252", "win1252", "latin1", "latin-1", "iso-8859-1": .windows1252
        default: nil
        }
    }
}
