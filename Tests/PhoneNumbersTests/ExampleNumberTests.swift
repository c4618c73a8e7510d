import PhoneNumbers
import Testing

/// libphonenumber's example numbers: the data generator draws on them, so
/// each must parse back, valid, from every form we write it in.
@Suite struct ExampleNumberTests {
    let normalizer = PhoneNumberNormalizer()

    static let regions = ["US", "CA", "GB", "DE", "FR", "IN", "AU", "JP", "BR", "CH", "CN", "IT", "ES", "MX"]

    @Test("Every example number round-trips through E.164, international and national", arguments: regions)
    func roundTrip(region: String) throws {
        var found = 0
        for type in PhoneNumberType.allCases where type != .unknown {
            guard let example = normalizer.exampleNumber(region: region, type: type) else { continue }
            found += 1
            // fixedLine, mobile and fixedLineOrMobile overlap: US numbers are
            // both, and libphonenumber's fixedLineOrMobile example is a fixed line.
            let lineTypes: Set<PhoneNumberType> = [.fixedLine, .mobile, .fixedLineOrMobile]
            let sameKind = example.type == type || (lineTypes.contains(type) && lineTypes.contains(example.type))
            #expect(sameKind, "\(region) \(type) is \(example.type)")
            // Ranges shared by the +1 countries (toll-free, premium) belong to "US".
            let sharedNANPA = example.countryCode == 1 && example.regionCode == "US"
            #expect(example.regionCode == region || sharedNANPA, "\(region) \(type)")

            let fromE164 = try normalizer.parse(example.e164, defaultRegion: "ZZ")
            #expect(fromE164 == example)

            let international = normalizer.format(example, style: .international)
            #expect(try normalizer.parse(international, defaultRegion: "ZZ") == example, "\(international)")

            let national = normalizer.format(example, style: .national)
            #expect(try normalizer.parse(national, defaultRegion: region) == example, "\(national)")
        }
        #expect(found >= 2, "\(region) has examples of at least two types")
    }

    @Test("The common types exist where callers expect them")
    func commonTypes() {
        let expected: [(String, PhoneNumberType)] = [
            ("US", .fixedLineOrMobile), ("US", .tollFree), ("GB", .fixedLine), ("GB", .mobile),
            ("DE", .fixedLine), ("DE", .mobile), ("FR", .fixedLine), ("FR", .mobile),
            ("IN", .fixedLine), ("IN", .mobile),
        ]
        for (region, type) in expected {
            let example = normalizer.exampleNumber(region: region, type: type)
            #expect(example != nil, "\(region) \(type)")
            #expect(example?.e164.hasPrefix("+\(example?.countryCode ?? -1)") == true)
        }
    }

    @Test("No example for unknown regions or the unknown type")
    func missing() {
        for region in ["XX", "ZZ", "001", "", "USA"] {
            #expect(normalizer.exampleNumber(region: region, type: .mobile) == nil, "\(region)")
        }
        #expect(normalizer.exampleNumber(region: "US", type: .unknown) == nil)
    }

    @Test("Every supported region has a valid fixed-line or mobile example")
    func allRegions() throws {
        let regions = normalizer.supportedRegions
        #expect(regions.count > 200)
        #expect(regions == regions.sorted())
        for region in ["US", "GB", "DE", "FR", "IN", "BR", "JP"] {
            #expect(regions.contains(region))
        }
        var withoutExample: [String] = []
        for region in regions {
            #expect(normalizer.isSupportedRegion(region))
            let example = [PhoneNumberType.fixedLine, .mobile, .fixedLineOrMobile].lazy
                .compactMap { normalizer.exampleNumber(region: region, type: $0) }
                .first
            guard let example else {
                withoutExample.append(region)
                continue
            }
            #expect(try normalizer.parse(example.e164, defaultRegion: region) == example)
        }
        // A few territories (e.g. Antarctica-adjacent ones) may have no lines at all.
        #expect(withoutExample.count < 5, "\(withoutExample)")
    }

    @Test("isSupportedRegion is case-insensitive and rejects non-regions")
    func supportedRegion() {
        #expect(normalizer.isSupportedRegion("US"))
        #expect(normalizer.isSupportedRegion("us"))
        #expect(normalizer.isSupportedRegion("Gb"))
        for region in ["XX", "ZZ", "001", "", "USA", "U"] {
            #expect(!normalizer.isSupportedRegion(region), "\(region)")
        }
    }
}
