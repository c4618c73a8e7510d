import CPhoneNumber

/// One crossing into libphonenumber: everything `cpn_parse` learned about a
/// text, held in a C struct on the caller's stack.
///
/// Strings come back in fixed-size fields of the struct, so the hot path
/// allocates nothing on the C side, and E.164 texts (at most 21 UTF-8 bytes,
/// usually 12 or 13) fit Swift's small-string storage when short enough.
struct NumberAnalysis {
    private(set) var raw: cpn_number

    /// Parses `text`; `defaultRegion` decides the country of national numbers.
    /// A Swift `String` passes to `const char *` without copying its bytes
    /// when it is native (always, on Linux); lengths are given explicitly, so
    /// an embedded NUL cannot cut the text short.
    init(parsing text: String, defaultRegion: String) {
        var raw = cpn_number()
        cpn_parse(text, text.utf8.count, defaultRegion, defaultRegion.utf8.count, &raw)
        self.raw = raw
    }

    /// libphonenumber's example number of `type` for `region`, or nil.
    init?(exampleFor region: String, type: PhoneNumberType) {
        var raw = cpn_number()
        guard cpn_example_number(region, region.utf8.count, type.cValue, &raw) else {
            return nil
        }
        self.raw = raw
    }

    var parseError: cpn_parse_error { raw.parse_error }
    var possibility: cpn_possibility { raw.possibility }
    var isValid: Bool { raw.is_valid }
    var countryCode: Int { Int(raw.country_code) }
    /// 0 when the default region given is not supported.
    var defaultRegionCountryCode: Int { Int(raw.default_region_country_code) }

    var e164: String {
        withUnsafeBytes(of: raw.e164) { Self.string($0, count: raw.e164_length) }
    }

    /// The region, or nil for libphonenumber's "ZZ" (unknown) and "001"
    /// (non-geographic entity).
    var regionCode: String? {
        guard raw.region_length == 2 else { return nil }
        let region = withUnsafeBytes(of: raw.region) { Self.string($0, count: raw.region_length) }
        return region == "ZZ" ? nil : region
    }

    var phoneExtension: String? {
        guard raw.extension_length > 0 else { return nil }
        return withUnsafeBytes(of: raw.extension) { Self.string($0, count: raw.extension_length) }
    }

    /// The value for a number that passed the checks.
    var phoneNumber: PhoneNumber {
        PhoneNumber(
            e164: e164,
            countryCode: countryCode,
            regionCode: regionCode,
            type: PhoneNumberType(raw.type),
            phoneExtension: phoneExtension
        )
    }

    private static func string(_ field: UnsafeRawBufferPointer, count: UInt8) -> String {
        let length = min(Int(count), field.count)
        return String(decoding: UnsafeRawBufferPointer(rebasing: field[..<length]), as: UTF8.self)
    }
}
