/// One contact produced by ``ContactGenerator``: the fields of a CSV import row, plus
/// what the generator knows about the phone so tests can check a normalizer against it.
public struct GeneratedContact: Sendable, Hashable {
    /// Full name, NFC, often with accents: `José García`, `Zoë Müller`, `Nguyễn Thảo`… never empty.
    public var name: String
    /// The phone exactly as written in the row: `(650) 253-0000`, `+44 7911 123456`, `16502530000`…
    public var phone: String
    /// ISO 3166-1 region the number belongs to (`US`, `GB`, `DE`, `FR`, `IN`). The number is valid
    /// for this region, and, because numbers outside ``ContactGenerator/homeRegion`` are always written
    /// with `+` and their country code, it also parses with the home region as default.
    public var region: String
    /// The number in E.164 (`+16502530000`): what a correct normalizer turns ``phone`` into.
    public var e164: String
    /// True when this row repeats the number of an earlier row in a different writing.
    public var repeatsEarlierPhone: Bool
    /// Lower-case ASCII address derived from the name, or nil when the row has none.
    public var email: String?
    /// Company name, or nil. May contain a comma (`Acme Logistics, Inc.`) or accents.
    public var company: String?
    /// Zero to four distinct tags from a vocabulary of about fifty; none contains a comma.
    public var tags: [String]
    /// Free text, or nil; may contain commas, double quotes and line breaks (`\n`).
    public var notes: String?

    public init(
        name: String, phone: String, region: String, e164: String, repeatsEarlierPhone: Bool = false,
        email: String? = nil, company: String? = nil, tags: [String] = [], notes: String? = nil
    ) {
        self.name = name
        self.phone = phone
        self.region = region
        self.e164 = e164
        self.repeatsEarlierPhone = repeatsEarlierPhone
        self.email = email
        self.company = company
        self.tags = tags
        self.notes = notes
    }
}
