/// Bytes that are not a well-formed request (or reply).
///
/// Catch by `code`; `message` is what redis would say ("Protocol error: invalid bulk length"),
/// so redis clients and people at `telnet` see familiar text. `reply` is the error to send back.
///
/// After an error with `closesConnection`, the framing of the stream is lost: reply, then
/// close. Otherwise (an inline line with unbalanced quotes) drop `consumedBytes` bytes, reply,
/// and go on decoding. Redis 7 closes the connection in that case too; Callsheet keeps it,
/// because the line was framed correctly and only its quoting was wrong.
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for the kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case inlineTooLong, unbalancedQuotes
            case invalidMultibulkLength, arrayTooLong, expectedBulk, invalidBulkLength, bulkTooLong, missingCRLF
            case lineTooLong, invalidInteger, unknownReplyType, nestingTooDeep
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        public var description: String { base.rawValue }

        /// An inline line longer than `ProtocolLimits.maxInlineLength`.
        public static let inlineTooLong = Code(.inlineTooLong)
        /// A quote that is not closed, or a closing quote followed by something other than a blank.
        public static let unbalancedQuotes = Code(.unbalancedQuotes)
        /// `*` not followed by a decimal count and CRLF.
        public static let invalidMultibulkLength = Code(.invalidMultibulkLength)
        /// An array count above `ProtocolLimits.maxArrayCount`.
        public static let arrayTooLong = Code(.arrayTooLong)
        /// An array element of a request that does not start with `$`.
        public static let expectedBulk = Code(.expectedBulk)
        /// `$` not followed by a decimal length and CRLF (or a negative length in a request).
        public static let invalidBulkLength = Code(.invalidBulkLength)
        /// A bulk length above `ProtocolLimits.maxBulkLength`.
        public static let bulkTooLong = Code(.bulkTooLong)
        /// Bulk data not followed by CRLF, or a reply line ending in a bare CR.
        public static let missingCRLF = Code(.missingCRLF)
        /// A reply status or error line longer than `ProtocolLimits.maxInlineLength`.
        public static let lineTooLong = Code(.lineTooLong)
        /// A `:` reply that is not a 64-bit decimal integer.
        public static let invalidInteger = Code(.invalidInteger)
        /// A reply starting with a byte other than `+ - : $ *`.
        public static let unknownReplyType = Code(.unknownReplyType)
        /// Reply arrays nested deeper than `ProtocolLimits.maxNestingDepth`.
        public static let nestingTooDeep = Code(.nestingTooDeep)
    }

    public let code: Code
    public let message: String
    /// True when the stream can no longer be framed: reply with `reply`, then close.
    public let closesConnection: Bool
    /// For an error that does not close the connection: bytes of the offending request
    /// (and of blank lines before it) to drop before decoding again.
    public internal(set) var consumedBytes: Int

    init(_ code: Code, _ message: String, closesConnection: Bool = true, consumedBytes: Int = 0) {
        self.code = code
        self.message = message
        self.closesConnection = closesConnection
        self.consumedBytes = consumedBytes
    }

    /// The reply a server sends: `-ERR Protocol error: …`, as redis does.
    public var reply: RESPValue { .error(code: "ERR", message: message) }

    public var description: String { "\(code): \(message)" }
}

extension ProtocolError {
    static func inlineTooLong(limit: Int) -> ProtocolError {
        ProtocolError(.inlineTooLong, "Protocol error: too big inline request (over \(limit) bytes)")
    }

    static func unbalancedQuotes(consumedBytes: Int = 0) -> ProtocolError {
        ProtocolError(.unbalancedQuotes, "Protocol error: unbalanced quotes in request",
                      closesConnection: false, consumedBytes: consumedBytes)
    }

    /// The REPL's JSON convenience: an unquoted `{` or `[` whose closing bracket never comes.
    public static func unclosedBracket(_ open: Character, column: Int) -> ProtocolError {
        ProtocolError(.unbalancedQuotes, "the JSON that starts with '\(open)' at column \(column) is missing its closing '\(open == "{" ? "}" : "]")'",
                      closesConnection: false)
    }

    static let invalidMultibulkLength = ProtocolError(.invalidMultibulkLength, "Protocol error: invalid multibulk length")

    static func arrayTooLong(_ count: Int64, limit: Int) -> ProtocolError {
        ProtocolError(.arrayTooLong, "Protocol error: multibulk length \(count) is over the limit of \(limit)")
    }

    static func expectedBulk(got byte: UInt8) -> ProtocolError {
        ProtocolError(.expectedBulk, "Protocol error: expected '$', got '\(printable(byte))'")
    }

    static let invalidBulkLength = ProtocolError(.invalidBulkLength, "Protocol error: invalid bulk length")

    static func bulkTooLong(_ length: Int64, limit: Int) -> ProtocolError {
        ProtocolError(.bulkTooLong, "Protocol error: bulk length \(length) is over the limit of \(limit)")
    }

    static func missingCRLF(afterBulkOf length: Int) -> ProtocolError {
        ProtocolError(.missingCRLF, "Protocol error: expected CRLF after a bulk string of \(length) bytes")
    }

    static let missingLF = ProtocolError(.missingCRLF, "Protocol error: CR not followed by LF in a reply line")

    static func lineTooLong(limit: Int) -> ProtocolError {
        ProtocolError(.lineTooLong, "Protocol error: reply line without CRLF is over \(limit) bytes")
    }

    static let invalidInteger = ProtocolError(.invalidInteger, "Protocol error: invalid integer reply")

    static func unknownReplyType(_ byte: UInt8) -> ProtocolError {
        ProtocolError(.unknownReplyType, "Protocol error: unknown reply type '\(printable(byte))'")
    }

    static func nestingTooDeep(limit: Int) -> ProtocolError {
        ProtocolError(.nestingTooDeep, "Protocol error: reply arrays nested deeper than \(limit)")
    }

    /// The byte as a character when printable ASCII, else `\xHH`.
    private static func printable(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F {
            return String(UnicodeScalar(byte))
        }
        let digits: [Character] = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
