/// A phone number normalized by libphonenumber, keyed by its E.164 form.
///
/// Made only by ``PhoneNumberNormalizer``, so `e164` is always
/// libphonenumber's canonical text: two inputs that dial the same line
/// (`(650) 253-0000` and `+1 650 253 0000`, region US) give equal values.
/// An extension (`... ext. 123`) is kept apart in ``phoneExtension``;
/// it is part of equality, so a switchboard number with and without an
/// extension are different values with the same `e164`.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// `+` then the country code and national number, digits only:
    /// `+16502530000`. At most 21 characters.
    public let e164: String
    /// The country calling code: 1, 44, 49, 33, 91, ...
    public let countryCode: Int
    /// The ISO 3166 region the number belongs to ("US", "CA", "GB"), or nil
    /// when it belongs to none: non-geographic numbers (+800, +882), and
    /// numbers accepted as merely possible whose leading digits do not name
    /// a region (+1 555 ... does not; +1 242 ..., the Bahamas, does).
    /// Ranges shared by the +1 countries, such as toll-free 800, are "US".
    public let regionCode: String?
    /// What kind of line this is; `unknown` for possible-but-not-valid numbers.
    public let type: PhoneNumberType
    /// The extension's digits ("123" from `650 253 0000 ext. 123`), if any.
    public let phoneExtension: String?

    init(
        e164: String,
        countryCode: Int,
        regionCode: String?,
        type: PhoneNumberType,
        phoneExtension: String?
    ) {
        self.e164 = e164
        self.countryCode = countryCode
        self.regionCode = regionCode
        self.type = type
        self.phoneExtension = phoneExtension
    }

    /// The E.164 form, then ` ext. 123` when there is an extension.
    public var description: String {
        guard let phoneExtension else { return e164 }
        return "\(e164) ext. \(phoneExtension)"
    }
}
