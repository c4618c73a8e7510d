/// An error from the text indexes. Only invariant checks raise one today: seeing it means a bug
/// in this module, not bad input.
public struct TextIndexError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invariantViolation = "INDEX_INVARIANT"
        }

        private let value: Value

        /// An index's internal structure disagrees with the documents it holds.
        public static let invariantViolation = Code(value: .invariantViolation)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func invariant(_ message: String) -> TextIndexError {
        TextIndexError(code: .invariantViolation, message: message)
    }
}
