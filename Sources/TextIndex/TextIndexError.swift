/// An error from the text indexes: an invariant check that failed (a bug in this module) or an
/// index image that cannot be read (``IndexImage``: damaged or hostile bytes).
public struct TextIndexError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invariantViolation = "INDEX_INVARIANT"
            case imageDamaged = "INDEX_IMAGE"
        }

        private let value: Value

        /// An index's internal structure disagrees with the documents it holds.
        public static let invariantViolation = Code(value: .invariantViolation)
        /// An index image's bytes do not describe a valid index.
        public static let imageDamaged = Code(value: .imageDamaged)

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
