/// How strictly ``PhoneNumberNormalizer/parse(_:defaultRegion:validation:)``
/// judges a number.
///
/// Both levels reject text that is not a number, has an unknown country code,
/// or has a length no number in that country has.
public enum PhoneValidation: String, Sendable, Codable, CaseIterable {
    /// The digits fall in a range assigned in the country
    /// (libphonenumber's `IsValidNumber`). The default.
    case valid
    /// The length is right for the country, whatever the digits
    /// (`IsPossibleNumberWithReason` is `IS_POSSIBLE`). For an organization
    /// whose numbers are newer than the installed metadata. A local-only
    /// number (a US number without its area code) is still rejected: its
    /// E.164 form would not be dialable.
    case possible
}
