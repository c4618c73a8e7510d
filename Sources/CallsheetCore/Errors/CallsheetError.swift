/// An error a person can act on, with a stable code that travels on the wire as `-CODE message`.
///
/// Callers `catch` by ``code``; the message names the row, field or value and what was expected.
/// Every command that fails with one of these has changed nothing.
public struct CallsheetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes, listed in docs/PROTOCOL.md. Never renamed once shipped.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidPhone = Code(rawValue: "INVALID_PHONE")
        public static let duplicatePhone = Code(rawValue: "DUPLICATE_PHONE")
        public static let invalidField = Code(rawValue: "INVALID_FIELD")
        public static let notFound = Code(rawValue: "NOT_FOUND")
        public static let forbidden = Code(rawValue: "FORBIDDEN")
        public static let noAuth = Code(rawValue: "NOAUTH")
        public static let badRequest = Code(rawValue: "BAD_REQUEST")
        public static let unknownCommand = Code(rawValue: "UNKNOWN_COMMAND")
        public static let wrongArguments = Code(rawValue: "WRONG_ARGS")
        public static let invalidJSON = Code(rawValue: "INVALID_JSON")
        public static let conflict = Code(rawValue: "CONFLICT")
        public static let noOrganization = Code(rawValue: "NO_ORG")
        public static let authFailed = Code(rawValue: "AUTH_FAILED")
        public static let unavailable = Code(rawValue: "UNAVAILABLE")
        public static let limit = Code(rawValue: "LIMIT")
        public static let `internal` = Code(rawValue: "INTERNAL")
        /// Redis clients recognise this reply to `HELLO 3` and fall back to RESP2.
        public static let noProtocol = Code(rawValue: "NOPROTO")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue) \(message)" }

    public static func notFound(contact id: UInt64) -> CallsheetError {
        CallsheetError(.notFound, "no contact with id \(id)")
    }

    public static func wrongArguments(_ command: String, usage: String) -> CallsheetError {
        CallsheetError(.wrongArguments, "wrong arguments for \(command); usage: \(usage)")
    }
}
