import PhoneNumbers
import Testing

/// Parsing: the many ways people write the same number, in many countries.
@Suite struct ParsingTests {
    let normalizer = PhoneNumberNormalizer()

    @Test(
        "US formats from the product issue give one E.164",
        arguments: [
            "(650) 253-0000", "650.253.0000", "+1 650 253 0000", "16502530000",
            "1 (650) 253-0000", "6502530000", "650-253-0000", "Tel: 650 253 0000",
            "tel:+1-650-253-0000", "  (650) 253-0000  ",
        ]
    )
    func usFormats(text: String) throws {
        let number = try normalizer.parse(text, defaultRegion: "US")
        #expect(number.e164 == "+16502530000")
        #expect(number.countryCode == 1)
        #expect(number.regionCode == "US")
        #expect(number.type == .fixedLineOrMobile)
        #expect(number.phoneExtension == nil)
        #expect(number.description == "+16502530000")
    }

    @Test("Equal inputs make equal, equally hashed values")
    func equality() throws {
        let inputs = ["(650) 253-0000", "650.253.0000", "+1 650 253 0000", "16502530000"]
        let numbers = try Set(inputs.map { try normalizer.parse($0, defaultRegion: "US") })
        #expect(numbers.count == 1)
        let other = try normalizer.parse("(650) 253-0001", defaultRegion: "US")
        #expect(!numbers.contains(other))
    }

    /// (text, default region, E.164, region of the number, type)
    static let countries: [(String, String, String, String, PhoneNumberType)] = [
        ("020 7946 0958", "GB", "+442079460958", "GB", .fixedLine),
        ("+44 20 7946 0958", "US", "+442079460958", "GB", .fixedLine),
        ("+44 (0) 20 7946 0958", "US", "+442079460958", "GB", .fixedLine),
        ("0800 123 4567", "GB", "+448001234567", "GB", .tollFree),
        ("030 901820", "DE", "+4930901820", "DE", .fixedLine),
        ("+49 30 901820", "US", "+4930901820", "DE", .fixedLine),
        ("0151 23456789", "DE", "+4915123456789", "DE", .mobile),
        ("01 42 68 53 00", "FR", "+33142685300", "FR", .fixedLine),
        ("06 12 34 56 78", "FR", "+33612345678", "FR", .mobile),
        ("+33 6 12 34 56 78", "DE", "+33612345678", "FR", .mobile),
        ("098765 43210", "IN", "+919876543210", "IN", .mobile),
        ("+91 98765 43210", "US", "+919876543210", "IN", .mobile),
        ("022 2345 6789", "IN", "+912223456789", "IN", .fixedLine),
        ("(02) 9374 4000", "AU", "+61293744000", "AU", .fixedLine),
        ("0412 345 678", "AU", "+61412345678", "AU", .mobile),
        ("090-1234-5678", "JP", "+819012345678", "JP", .mobile),
        ("(11) 91234-5678", "BR", "+5511912345678", "BR", .mobile),
        ("044 668 18 00", "CH", "+41446681800", "CH", .fixedLine),
        ("138 1234 5678", "CN", "+8613812345678", "CN", .mobile),
        // Italy keeps the leading 0 of fixed lines inside E.164.
        ("06 1234 5678", "IT", "+390612345678", "IT", .fixedLine),
        ("(416) 253-0000", "CA", "+14162530000", "CA", .fixedLineOrMobile),
    ]

    @Test("National and international input in many countries", arguments: countries)
    func nationalAndInternational(
        text: String, region: String, e164: String, numberRegion: String, type: PhoneNumberType
    ) throws {
        let number = try normalizer.parse(text, defaultRegion: region)
        #expect(number.e164 == e164)
        #expect(number.regionCode == numberRegion)
        #expect(number.type == type)
        #expect(number.e164.hasPrefix("+\(number.countryCode)"))
    }

    /// (text dialled with an international prefix, default region, E.164)
    static let internationalPrefixes: [(String, String, String)] = [
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("00 49 30 901820", "DE", "+4930901820"),
        ("00 44 20 7946 0958", "DE", "+442079460958"),
        ("00 33 1 42 68 53 00", "GB", "+33142685300"),
        ("00 1 650 253 0000", "DE", "+16502530000"),
        ("0011 1 650 253 0000", "AU", "+16502530000"),
    ]

    @Test("International (IDD) prefixes of the default region", arguments: internationalPrefixes)
    func internationalPrefix(text: String, region: String, e164: String) throws {
        #expect(try normalizer.parse(text, defaultRegion: region).e164 == e164)
    }

    @Test("The region is the number's own, not the default")
    func regionOfTheNumber() throws {
        // +1 is shared: Bahamas and Canada numbers typed in a US organization.
        #expect(try normalizer.parse("(242) 357-1234", defaultRegion: "US").regionCode == "BS")
        #expect(try normalizer.parse("(416) 253-0000", defaultRegion: "US").regionCode == "CA")
        #expect(try normalizer.parse("+44 20 7946 0958", defaultRegion: "FR").regionCode == "GB")
    }

    @Test("Region codes are case-insensitive; international input needs no region")
    func regionCodes() throws {
        #expect(try normalizer.parse("(650) 253-0000", defaultRegion: "us").e164 == "+16502530000")
        #expect(try normalizer.parse("020 7946 0958", defaultRegion: "gB").e164 == "+442079460958")
        for region in ["ZZ", "", "XX", "001"] {
            #expect(try normalizer.parse("+16502530000", defaultRegion: region).regionCode == "US")
        }
    }

    @Test("Full-width and Arabic-Indic digits", arguments: ["６５０２５３００００", "+١ ٦٥٠ ٢٥٣ ٠٠٠٠"])
    func unicodeDigits(text: String) throws {
        #expect(try normalizer.parse(text, defaultRegion: "US").e164 == "+16502530000")
    }

    @Test(
        "Extensions are kept apart from the E.164 key",
        arguments: [
            "650 253 0000 ext. 123", "650-253-0000 x 123", "+1 650 253 0000;ext=123",
            "tel:+1-650-253-0000;ext=123", "(650) 253-0000 extension 123",
        ]
    )
    func extensions(text: String) throws {
        let number = try normalizer.parse(text, defaultRegion: "US")
        let plain = try normalizer.parse("650 253 0000", defaultRegion: "US")
        #expect(number.e164 == "+16502530000")
        #expect(number.phoneExtension == "123")
        #expect(number.description == "+16502530000 ext. 123")
        #expect(number != plain)
        #expect(number.e164 == plain.e164)
    }

    @Test("Letters: vanity numbers become keypad digits")
    func letters() throws {
        let flowers = try normalizer.parse("1-800-FLOWERS", defaultRegion: "US")
        #expect(flowers.e164 == "+18003569377")
        #expect(flowers.type == .tollFree)
        #expect(try normalizer.parse("800 FLOWERS", defaultRegion: "US") == flowers)
        // Trailing words are read as keypad digits too, making the number too long.
        #expect(failure("+1 650 253 0000 abc", "US")?.code == .tooLong)
        #expect(failure("650 253 0000 is my number", "US")?.code == .tooLong)
        #expect(failure("call me", "US")?.code == .notANumber)
    }

    @Test("Non-geographic numbers have a country code but no region")
    func nonGeographic() throws {
        let number = try normalizer.parse("+800 1234 5678", defaultRegion: "US")
        #expect(number.e164 == "+80012345678")
        #expect(number.countryCode == 800)
        #expect(number.regionCode == nil)
        #expect(number.type == .tollFree)
    }

    @Test("A valid number shorter than its country's usual length is accepted")
    func validShortNumber() throws {
        // Canada's 7-digit 310-xxxx numbers: possibility alone says "local only".
        let number = try normalizer.parse("310-1234", defaultRegion: "CA")
        #expect(number.e164 == "+13101234")
        #expect(number.regionCode == "CA")
        #expect(number.type == .uan)
    }

    @Test("Parsing an E.164 result gives the same number back")
    func e164RoundTrip() throws {
        for (text, region, _, _, _) in Self.countries {
            let number = try normalizer.parse(text, defaultRegion: region)
            #expect(try normalizer.parse(number.e164, defaultRegion: "ZZ") == number)
        }
    }

    @Test("Input with an embedded NUL is read whole, not cut at the NUL")
    func embeddedNul() {
        // Were it cut, this would be the valid +16502530000.
        #expect(failure("650 253 0000\u{0}999999999", "US") != nil)
    }

    private func failure(_ text: String, _ region: String) -> PhoneNumberError? {
        do {
            _ = try normalizer.parse(text, defaultRegion: region)
            return nil
        } catch {
            return error
        }
    }
}
