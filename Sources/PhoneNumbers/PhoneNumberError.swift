/// Why text could not be accepted as a phone number.
///
/// Catch by ``code``; show ``message``, which quotes the input (shortened to
/// 40 characters) and says what is wrong with it, e.g.
/// `"(555) 12" is too short for region US`.
public struct PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable reason. Its `description` is the case name
    /// (`tooShort`), suitable for logs and wire replies.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case notANumber
            case invalidCountryCode
            case tooShort
            case tooLong
            case invalidLength
            case notValidNumber
            case unsupportedRegion
            case empty
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// No digits where a number was expected (`abc`, `+44`).
        public static let notANumber = Code(.notANumber)
        /// The country calling code after `+` or an international prefix is
        /// not assigned (`+999 123`).
        public static let invalidCountryCode = Code(.invalidCountryCode)
        /// Fewer digits than any number in the country has, including local
        /// numbers given without their area code.
        public static let tooShort = Code(.tooShort)
        /// More digits than any number in the country has.
        public static let tooLong = Code(.tooLong)
        /// Between the shortest and longest lengths of the country, but a
        /// length no number there has.
        public static let invalidLength = Code(.invalidLength)
        /// The right length, but in no range assigned in the country
        /// (only under ``PhoneValidation/valid``).
        public static let notValidNumber = Code(.notValidNumber)
        /// A national number was given and the default region is not one
        /// libphonenumber knows.
        public static let unsupportedRegion = Code(.unsupportedRegion)
        /// The text is empty or only whitespace.
        public static let empty = Code(.empty)

        public var description: String { wrapped.rawValue }
    }

    /// The stable reason.
    public let code: Code
    /// A sentence a person can act on.
    public let message: String

    /// Creates an error; the normalizer builds these, tests and callers that
    /// wrap it may too.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
