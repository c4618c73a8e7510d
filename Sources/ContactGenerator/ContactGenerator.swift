/// A deterministic source of realistic contacts for tests, benchmarks and demo data.
///
/// The same seed yields the same contacts, byte for byte, on every platform: the generator
/// uses its own PRNG (xoshiro256**) and integer arithmetic only. Data is varied on purpose:
/// names from many cultures with accents, phones that libphonenumber accepts as valid in
/// US (most), IN, GB, FR and DE written in a dozen styles, about 2% of rows repeating an
/// earlier row's phone in another writing, emails derived from names, 5,000 companies,
/// 0–4 tags out of ~50, and notes with commas, quotes and line breaks.
///
/// ```swift
/// var generator = ContactGenerator(seed: 42)
/// let first = generator.next()
/// let more = generator.contacts(count: 500)
/// ```
public struct ContactGenerator: Sendable {
    /// The region an importing organization is assumed to default to. Its numbers are written
    /// with or without the country code; every other region's numbers always start with `+`.
    public static let homeRegion = "US"

    /// Number of distinct company names the generator can produce.
    public static let companyCount = CompanyNames.count

    /// The tags contacts are drawn from.
    public static let tagVocabulary: [String] = TagVocabulary.all

    var random: Xoshiro256
    /// Chance that a row repeats an earlier phone, in parts per million.
    let repeatPerMillion: Int
    /// Recently issued phones, a ring buffer the repeats are drawn from.
    var issued: [IssuedPhone] = []
    var issuedNext = 0
    /// Every number issued so far, so a fresh number never collides with an earlier one by chance:
    /// exactly the rows with `repeatsEarlierPhone` share a number with an earlier row.
    /// About 16 bytes a row (16 MB for a million).
    var issuedNumbers: Set<UInt64> = []

    /// - Parameters:
    ///   - seed: Any value; equal seeds give equal sequences.
    ///   - duplicatePhoneRate: Share of rows (0...1) that repeat an earlier row's phone in a
    ///     different writing. The default 0.02 feeds dedupe tests; 0 gives data that imports
    ///     without a single `DUPLICATE_PHONE`. Rows not marked ``GeneratedContact/repeatsEarlierPhone``
    ///     never share a number with an earlier row.
    public init(seed: UInt64, duplicatePhoneRate: Double = 0.02) {
        self.random = Xoshiro256(seed: seed)
        let clamped = duplicatePhoneRate.isNaN ? 0 : min(max(duplicatePhoneRate, 0), 1)
        self.repeatPerMillion = Int((clamped * 1_000_000).rounded())
    }

    /// The next contact of the sequence.
    public mutating func next() -> GeneratedContact {
        let phone = nextPhone()
        let person = nextPerson()
        let companyIndex = random.chance(perMille: 150) ? nil : random.below(CompanyNames.count)
        let email = nextEmail(person: person, region: phone.region, companyIndex: companyIndex)
        return GeneratedContact(
            name: person.name,
            phone: phone.written,
            region: phone.region,
            e164: phone.e164,
            repeatsEarlierPhone: phone.isRepeat,
            email: email,
            company: companyIndex.map(CompanyNames.name),
            tags: nextTags(),
            notes: nextNotes()
        )
    }

    /// The next `count` contacts (none when `count` is not positive).
    public mutating func contacts(count: Int) -> [GeneratedContact] {
        guard count > 0 else { return [] }
        var result: [GeneratedContact] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(next())
        }
        return result
    }

    /// The first `count` contacts for `seed`.
    public static func contacts(count: Int, seed: UInt64, duplicatePhoneRate: Double = 0.02) -> [GeneratedContact] {
        var generator = ContactGenerator(seed: seed, duplicatePhoneRate: duplicatePhoneRate)
        return generator.contacts(count: count)
    }
}
