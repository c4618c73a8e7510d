import PhoneNumbers
import Testing

/// `.valid` (the default) against the `.possible` relaxation.
@Suite struct ValidationTests {
    let normalizer = PhoneNumberNormalizer()

    /// Right length, unassigned range: (text, region, E.164, region of the number)
    static let possibleButInvalid: [(String, String, String, String?)] = [
        ("+1 555 555 0100", "US", "+15555550100", nil),
        ("07700 900123", "GB", "+447700900123", nil),
        ("+44 20 7946 095", "US", "+44207946095", nil),
        // Area code 242 names the Bahamas even though this line is unassigned.
        ("+1 242 555 0100", "US", "+12425550100", "BS"),
    ]

    @Test("possible accepts what valid rejects", arguments: possibleButInvalid)
    func relaxation(text: String, region: String, e164: String, numberRegion: String?) throws {
        #expect(throws: PhoneNumberError.self) { try normalizer.parse(text, defaultRegion: region) }
        #expect(
            throws: PhoneNumberError.self,
            "valid is the default"
        ) { try normalizer.parse(text, defaultRegion: region, validation: .valid) }

        let number = try normalizer.parse(text, defaultRegion: region, validation: .possible)
        #expect(number.e164 == e164)
        #expect(number.type == .unknown)
        #expect(number.regionCode == numberRegion)
    }

    @Test("possible still rejects wrong lengths, local numbers and bad country codes")
    func possibleStillRejects() {
        let cases: [(String, String, PhoneNumberError.Code)] = [
            ("(555) 12", "US", .tooShort),
            ("253 0000", "US", .tooShort),
            ("6502530000123456789", "US", .tooLong),
            ("+41 21 234 56 785", "US", .invalidLength),
            ("+999 123", "US", .invalidCountryCode),
            ("abc", "US", .notANumber),
            ("", "US", .empty),
            ("650 253 0000", "XX", .unsupportedRegion),
        ]
        for (text, region, code) in cases {
            do {
                let number = try normalizer.parse(text, defaultRegion: region, validation: .possible)
                Issue.record("\(text) parsed as \(number)")
            } catch {
                #expect(error.code == code, "\(text)")
            }
        }
    }

    @Test("Valid numbers are the same under both levels")
    func validUnderBoth() throws {
        for (text, region) in [("(650) 253-0000", "US"), ("020 7946 0958", "GB"), ("0151 23456789", "DE")] {
            let strict = try normalizer.parse(text, defaultRegion: region, validation: .valid)
            let relaxed = try normalizer.parse(text, defaultRegion: region, validation: .possible)
            #expect(strict == relaxed)
            #expect(relaxed.type != .unknown)
        }
    }

    @Test("Raw values are stable for storage")
    func rawValues() {
        #expect(PhoneValidation.allCases.map(\.rawValue) == ["valid", "possible"])
        #expect(PhoneValidation(rawValue: "possible") == .possible)
        #expect(PhoneNumberType.allCases.map(\.rawValue) == [
            "fixedLine", "mobile", "fixedLineOrMobile", "tollFree", "premiumRate", "sharedCost",
            "voip", "personalNumber", "pager", "uan", "voicemail", "unknown",
        ])
        #expect(PhoneNumberFormat.allCases.map(\.rawValue) == ["e164", "international", "national"])
    }
}
