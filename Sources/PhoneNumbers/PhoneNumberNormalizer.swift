import CPhoneNumber

/// Turns text typed by people or found in imports into ``PhoneNumber``
/// values, through Google's libphonenumber.
///
/// ```swift
/// let normalizer = PhoneNumberNormalizer()
/// let number = try normalizer.parse("(650) 253-0000", defaultRegion: "US")
/// number.e164 // "+16502530000"
/// ```
///
/// Stateless and `Sendable`: every instance shares libphonenumber's one
/// thread-safe `PhoneNumberUtil`, so use it from any number of tasks at once.
/// The metadata loads on first use (a few milliseconds); nothing is logged.
public struct PhoneNumberNormalizer: Sendable {
    /// Creates a normalizer. Cheap: there is no per-instance state.
    public init() {}

    /// Parses `text` into a normalized number.
    ///
    /// Accepts national (`(650) 253-0000`, `650.253.0000`), international
    /// (`+1 650 253 0000`) and international-prefix (`011 44 20 7946 0958`
    /// from the US, `00 49 30 123456` from DE) forms, punctuation, full-width
    /// and other Unicode digits, vanity letters (`1-800-FLOWERS`), `tel:` URIs
    /// and extensions (`ext. 123`, kept in ``PhoneNumber/phoneExtension``).
    ///
    /// - Parameters:
    ///   - text: What the person typed; at most 250 UTF-8 bytes are read as
    ///     a number, longer text is `tooLong`.
    ///   - defaultRegion: ISO 3166 alpha-2 code (any case) giving the country
    ///     of numbers written without `+`. "ZZ" when all input is international.
    ///   - validation: `.valid` (default) requires an assigned range;
    ///     `.possible` only the right length.
    /// - Throws: ``PhoneNumberError`` with the reason and a message.
    /// - Complexity: One call into libphonenumber (regular expressions over
    ///   the country's metadata, about 17 µs); results come back in a struct
    ///   on the caller's stack, no Foundation, no C-allocated strings.
    public func parse(
        _ text: String,
        defaultRegion: String,
        validation: PhoneValidation = .valid
    ) throws(PhoneNumberError) -> PhoneNumber {
        if Self.isBlank(text) {
            throw .empty()
        }
        let analysis = NumberAnalysis(parsing: text, defaultRegion: defaultRegion)
        func place() -> ErrorPlace {
            ErrorPlace(text: text, defaultRegion: defaultRegion, analysis: analysis)
        }

        switch analysis.parseError {
        case CPN_PARSE_OK:
            break
        case CPN_PARSE_INVALID_COUNTRY_CODE:
            if analysis.defaultRegionCountryCode == 0 && !Self.startsWithPlus(text) {
                throw .unsupportedRegion(text, region: defaultRegion)
            }
            throw .invalidCountryCode(text)
        case CPN_PARSE_TOO_SHORT_AFTER_IDD:
            throw .tooShortAfterInternationalPrefix(text)
        case CPN_PARSE_TOO_SHORT_NSN:
            throw .tooShort(text, place().beforeParsing)
        case CPN_PARSE_TOO_LONG_NSN:
            throw .tooLong(text, place().beforeParsing)
        case CPN_PARSE_NOT_A_NUMBER:
            throw .notANumber(text)
        default:
            throw .internalFailure(text)
        }

        // Valid first: a few valid numbers are shorter than the country's
        // usual length (Canada's 7-digit 310-xxxx), and possibility would
        // call them local-only.
        if analysis.isValid {
            return analysis.phoneNumber
        }
        switch analysis.possibility {
        case CPN_POSSIBLE:
            guard validation == .possible else { throw .notValidNumber(text) }
        case CPN_POSSIBLE_LOCAL_ONLY:
            throw .localOnly(text, place().afterParsing)
        case CPN_POSSIBILITY_TOO_SHORT:
            throw .tooShort(text, place().afterParsing)
        case CPN_POSSIBILITY_TOO_LONG:
            throw .tooLong(text, place().afterParsing)
        case CPN_POSSIBILITY_INVALID_LENGTH:
            throw .invalidLength(text, place().afterParsing)
        default:
            throw .invalidCountryCode(text)
        }
        return analysis.phoneNumber
    }

    /// Whether libphonenumber knows `region` (ISO 3166 alpha-2, any case).
    /// "ZZ" and "001" are not regions.
    public func isSupportedRegion(_ region: String) -> Bool {
        cpn_is_supported_region(region, region.utf8.count)
    }

    /// libphonenumber's example number of `type` for `region`, valid and
    /// analyzed as `parse` would, or nil when the region is unknown ("XX",
    /// "001") or has no numbers of that type.
    ///
    /// The result's `type` can differ from the one asked for: where fixed and
    /// mobile ranges coincide it is `fixedLineOrMobile`, the
    /// `fixedLineOrMobile` example is often a fixed line, and ranges shared by
    /// the +1 countries (toll-free 800) report region "US" whichever +1
    /// region was asked for.
    public func exampleNumber(region: String, type: PhoneNumberType) -> PhoneNumber? {
        NumberAnalysis(exampleFor: region, type: type)?.phoneNumber
    }

    /// Empty or ASCII whitespace only; checked without crossing into C.
    private static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || (0x09...0x0D).contains($0) }
    }

    /// Whether the first non-blank character is "+": the text names its own
    /// country, so the default region does not matter.
    static func startsWithPlus(_ text: String) -> Bool {
        let first = text.utf8.first { !($0 == 0x20 || (0x09...0x0D).contains($0)) }
        return first == UInt8(ascii: "+")
    }
}
