/// The messages ``PhoneNumberNormalizer`` puts in its errors. Each quotes the
/// input and says what is wrong in terms of the country it was read for.
extension PhoneNumberError {
    static func empty() -> Self {
        Self(code: .empty, message: "no phone number was given (the text is empty)")
    }

    static func notANumber(_ text: String) -> Self {
        Self(code: .notANumber, message: "\(quoted(text)) is not a phone number")
    }

    static func invalidCountryCode(_ text: String) -> Self {
        Self(code: .invalidCountryCode, message: "\(quoted(text)) has an invalid country code")
    }

    static func unsupportedRegion(_ text: String, region: String) -> Self {
        Self(
            code: .unsupportedRegion,
            message: "\(quoted(text)) has no country code and the default region "
                + "\(quoted(region)) is not supported; use a region such as US or GB, "
                + "or write the number with + and its country code"
        )
    }

    static func tooShortAfterInternationalPrefix(_ text: String) -> Self {
        Self(
            code: .tooShort,
            message: "\(quoted(text)) is too short after the international prefix"
        )
    }

    static func tooShort(_ text: String, _ place: String) -> Self {
        Self(code: .tooShort, message: "\(quoted(text)) is too short\(place)")
    }

    static func localOnly(_ text: String, _ place: String) -> Self {
        Self(
            code: .tooShort,
            message: "\(quoted(text)) is too short\(place) "
                + "(it looks like a local number; add the area code)"
        )
    }

    static func tooLong(_ text: String, _ place: String) -> Self {
        Self(code: .tooLong, message: "\(quoted(text)) is too long\(place)")
    }

    static func invalidLength(_ text: String, _ place: String) -> Self {
        Self(
            code: .invalidLength,
            message: "\(quoted(text)) has an invalid length\(place) "
                + "(no numbers there have that many digits)"
        )
    }

    static func notValidNumber(_ text: String) -> Self {
        Self(
            code: .notValidNumber,
            message: "\(quoted(text)) is not a valid number "
                + "(it has the right length but no such numbers are assigned)"
        )
    }

    static func internalFailure(_ text: String) -> Self {
        Self(
            code: .notANumber,
            message: "\(quoted(text)) could not be parsed (libphonenumber failed; retry)"
        )
    }

    /// The input in double quotes, cut to 40 characters so an import's
    /// oversized cell cannot flood a reply or a log line.
    static func quoted(_ text: String) -> String {
        let limit = 40
        var prefix = Substring(text.prefix(limit + 1))
        if prefix.count > limit {
            prefix = prefix.prefix(limit)
            return "\"\(prefix)…\""
        }
        return "\"\(prefix)\""
    }
}
