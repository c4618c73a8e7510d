/// One thing wrong (or worth a warning) in an import: where it is and why.
///
/// `row` is the line of the file where the record starts (the header is line 1), as a text
/// editor or spreadsheet shows it; 0 for problems of the whole file. `column` is the header name
/// of the cell, or nil when the problem is the row or file as a whole.
public struct ImportIssue: Sendable, Hashable {
    /// Stable issue codes, listed in docs/PROTOCOL.md ("Import"). Never renamed once shipped.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let missingName = Code(rawValue: "MISSING_NAME")
        public static let missingPhone = Code(rawValue: "MISSING_PHONE")
        public static let invalidPhone = Code(rawValue: "INVALID_PHONE")
        public static let invalidEmail = Code(rawValue: "INVALID_EMAIL")
        public static let invalidField = Code(rawValue: "INVALID_FIELD")
        public static let columnCount = Code(rawValue: "COLUMN_COUNT")
        public static let spreadsheetDamage = Code(rawValue: "SPREADSHEET_DAMAGE")
        public static let duplicatePhone = Code(rawValue: "DUPLICATE_PHONE")
        public static let malformedCSV = Code(rawValue: "MALFORMED_CSV")
        public static let encoding = Code(rawValue: "ENCODING")
        public static let forbidden = Code(rawValue: "FORBIDDEN")
        /// A warning: the phone was spelled with letters and read as their keypad digits.
        public static let vanityNumber = Code(rawValue: "VANITY_NUMBER")
        /// A warning (or, when the organization blocks duplicates, an error): the row looks
        /// like a contact that exists (`DUP.CHECK`).
        public static let likelyDuplicate = Code(rawValue: "LIKELY_DUPLICATE")
    }

    public var row: Int
    public var column: String?
    public var code: Code
    public var reason: String

    public init(row: Int, column: String?, code: Code, reason: String) {
        self.row = row
        self.column = column
        self.code = code
        self.reason = reason
    }

    /// The issue as JSON: `{"row", "column", "code", "reason"}`.
    public var json: JSONValue {
        .object([
            ("row", .integer(Int64(row))),
            ("column", column.map { .string($0) } ?? .null),
            ("code", .string(code.rawValue)),
            ("reason", .string(reason)),
        ])
    }
}
