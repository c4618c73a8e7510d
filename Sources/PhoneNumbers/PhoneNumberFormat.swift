/// How ``PhoneNumberNormalizer/format(_:style:)`` writes a number.
public enum PhoneNumberFormat: String, Sendable, Codable, CaseIterable {
    /// `+16502530000`: the canonical key; no extension.
    case e164
    /// `+1 650-253-0000`, with ` ext. 123` when the number has an extension.
    case international
    /// `(650) 253-0000`, as dialled inside the country, with ` ext. 123`
    /// when the number has an extension.
    case national
}
