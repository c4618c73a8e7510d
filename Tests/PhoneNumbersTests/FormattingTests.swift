import PhoneNumbers
import Testing

/// Writing numbers for people: each country's own grouping.
@Suite struct FormattingTests {
    let normalizer = PhoneNumberNormalizer()

    /// (text, region, international, national)
    static let cases: [(String, String, String, String)] = [
        ("650.253.0000", "US", "+1 650-253-0000", "(650) 253-0000"),
        ("+44 20 7946 0958", "US", "+44 20 7946 0958", "020 7946 0958"),
        ("030 901820", "DE", "+49 30 901820", "030 901820"),
        ("0151 23456789", "DE", "+49 1512 3456789", "01512 3456789"),
        ("0142685300", "FR", "+33 1 42 68 53 00", "01 42 68 53 00"),
        ("9876543210", "IN", "+91 98765 43210", "098765 43210"),
        ("0612345678", "IT", "+39 06 1234 5678", "06 1234 5678"),
        ("+800 1234 5678", "US", "+800 1234 5678", "1234 5678"),
    ]

    @Test("International and national styles", arguments: cases)
    func styles(text: String, region: String, international: String, national: String) throws {
        let number = try normalizer.parse(text, defaultRegion: region)
        #expect(normalizer.format(number, style: .e164) == number.e164)
        #expect(normalizer.format(number, style: .international) == international)
        #expect(normalizer.format(number, style: .national) == national)
    }

    @Test("Extensions appear in the people-facing styles only")
    func extensions() throws {
        let number = try normalizer.parse("650 253 0000 x 42", defaultRegion: "US")
        #expect(normalizer.format(number, style: .e164) == "+16502530000")
        #expect(normalizer.format(number, style: .international) == "+1 650-253-0000 ext. 42")
        #expect(normalizer.format(number, style: .national) == "(650) 253-0000 ext. 42")
    }

    @Test("Possible-but-invalid numbers still format")
    func possibleNumbers() throws {
        let number = try normalizer.parse("+1 555 555 0100", defaultRegion: "US", validation: .possible)
        #expect(normalizer.format(number, style: .international) == "+1 555-555-0100")
    }
}
