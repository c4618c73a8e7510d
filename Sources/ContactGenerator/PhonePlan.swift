/// One slice of a real numbering plan the generator draws phone numbers from.
///
/// Every prefix range below was checked against libphonenumber's metadata (8.12.57, the
/// version Debian ships) by enumerating the digits that follow it: any number built as
/// prefix + random digits up to `length` is a VALID number of `region`, not merely a
/// possible one. NANP numbers add the exchange rule (`[2-9]XX`, never `N11` or `555`).
final class PhonePlan: Sendable {
    /// ISO 3166-1 region the numbers belong to.
    let region: String
    /// Country calling code, digits only.
    let countryCode: String
    /// `countryCode` as a number.
    let countryCodeValue: UInt64
    /// Written before a national number inside its own country: `0` in Europe and India,
    /// nothing for NANP (where `1` is the country code and doubles as the trunk prefix).
    let nationalPrefix: String
    /// Leading digits of the national significant number, all of one width.
    let prefixes: [String]
    /// Digits in the national significant number.
    let length: Int
    /// How the national significant number is split into groups when written with separators.
    let grouping: [Int]
    /// True for the North American plan, whose exchange (digits 4–6) follows extra rules.
    let isNANP: Bool
    /// Share of all generated numbers, per mille.
    let weight: Int
    /// Ways the generator writes these numbers.
    let styles: [PhoneStyle]

    init(
        region: String, countryCode: String, nationalPrefix: String,
        prefixWidth: Int, prefixes: [ClosedRange<Int>], length: Int, grouping: [Int],
        isNANP: Bool = false, weight: Int, styles: [PhoneStyle]
    ) {
        self.region = region
        self.countryCode = countryCode
        self.countryCodeValue = UInt64(countryCode) ?? 0
        self.nationalPrefix = nationalPrefix
        self.prefixes = prefixes.flatMap { range in
            range.map { value in
                let digits = String(value)
                return String(repeating: "0", count: max(0, prefixWidth - digits.count)) + digits
            }
        }
        self.length = length
        self.grouping = grouping
        self.isNANP = isNANP
        self.weight = weight
        self.styles = styles
    }
}

extension PhonePlan {
    /// The plans in drawing order; weights sum to 1000 (mostly US, then IN, GB, FR, DE).
    static let all: [PhonePlan] = [
        PhonePlan(
            region: "US", countryCode: "1", nationalPrefix: "", prefixWidth: 3,
            prefixes: NANPAreaCodes.verified.map { $0...$0 }, length: 10, grouping: [3, 3, 4],
            isNANP: true, weight: 760, styles: PhoneStyle.home
        ),
        // GB mobiles 07xxx xxxxxx (07624 Isle of Man, 076 pagers and a few unassigned blocks left out).
        PhonePlan(
            region: "GB", countryCode: "44", nationalPrefix: "0", prefixWidth: 4,
            prefixes: [
                7100...7456, 7458...7508, 7510...7523, 7525...7599, 7701...7780, 7782...7796,
                7798...7828, 7830...7838, 7840...7910, 7912...7936, 7938...7999,
            ],
            length: 10, grouping: [4, 6], weight: 40, styles: PhoneStyle.foreign
        ),
        // GB London 020 3/7/8xxx xxxx.
        PhonePlan(
            region: "GB", countryCode: "44", nationalPrefix: "0", prefixWidth: 3,
            prefixes: [203...203, 207...208], length: 10, grouping: [2, 4, 4],
            weight: 15, styles: PhoneStyle.foreign
        ),
        // GB Glasgow 0141, Liverpool 0151, Manchester 0161.
        PhonePlan(
            region: "GB", countryCode: "44", nationalPrefix: "0", prefixWidth: 3,
            prefixes: [141...141, 151...151, 161...161], length: 10, grouping: [3, 3, 4],
            weight: 10, styles: PhoneStyle.foreign
        ),
        // DE mobiles with 11-digit numbers: 0151–0159 blocks and 0176.
        PhonePlan(
            region: "DE", countryCode: "49", nationalPrefix: "0", prefixWidth: 4,
            prefixes: [1510...1529, 1550...1579, 1590...1599, 1760...1769],
            length: 11, grouping: [3, 8], weight: 25, styles: PhoneStyle.foreign
        ),
        // DE mobiles with 10-digit numbers: 0160, 0162, 0163, 0170–0175, 0177–0179.
        PhonePlan(
            region: "DE", countryCode: "49", nationalPrefix: "0", prefixWidth: 4,
            prefixes: [1600...1609, 1620...1639, 1700...1759, 1770...1799],
            length: 10, grouping: [3, 7], weight: 15, styles: PhoneStyle.foreign
        ),
        // DE Berlin 030, Hamburg 040, Frankfurt 069, München 089.
        PhonePlan(
            region: "DE", countryCode: "49", nationalPrefix: "0", prefixWidth: 2,
            prefixes: [30...30, 40...40, 69...69, 89...89], length: 10, grouping: [2, 4, 4],
            weight: 10, styles: PhoneStyle.foreign
        ),
        // DE Düsseldorf 0211, Köln 0221, Stuttgart 0711.
        PhonePlan(
            region: "DE", countryCode: "49", nationalPrefix: "0", prefixWidth: 3,
            prefixes: [211...211, 221...221, 711...711], length: 10, grouping: [3, 7],
            weight: 5, styles: PhoneStyle.foreign
        ),
        // FR mobiles 06 and 07 3–9.
        PhonePlan(
            region: "FR", countryCode: "33", nationalPrefix: "0", prefixWidth: 2,
            prefixes: [60...62, 64...68, 73...79], length: 9, grouping: [1, 2, 2, 2, 2],
            weight: 40, styles: PhoneStyle.foreign
        ),
        // FR geographic 01–05.
        PhonePlan(
            region: "FR", countryCode: "33", nationalPrefix: "0", prefixWidth: 2,
            prefixes: [10...39, 41...59], length: 9, grouping: [1, 2, 2, 2, 2],
            weight: 15, styles: PhoneStyle.foreign
        ),
        // IN mobiles [6-9]xxxxxxxxx.
        PhonePlan(
            region: "IN", countryCode: "91", nationalPrefix: "0", prefixWidth: 1,
            prefixes: [6...9], length: 10, grouping: [5, 5], weight: 55, styles: PhoneStyle.foreign
        ),
        // IN landlines: Delhi 011, Mumbai 022, Kolkata 033, Chennai 044, Bengaluru 080.
        PhonePlan(
            region: "IN", countryCode: "91", nationalPrefix: "0", prefixWidth: 4,
            prefixes: [1120...1129, 2220...2249, 2260...2269, 3320...3329, 4420...4429, 8020...8029],
            length: 10, grouping: [2, 4, 4], weight: 10, styles: PhoneStyle.foreign
        ),
    ]

    /// `weight` of each plan in `all`, for drawing.
    static let weights: [Int] = all.map(\.weight)
}
