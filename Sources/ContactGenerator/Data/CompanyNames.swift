/// The words companies are made of: 40 × 25 × 5 = 5,000 distinct names, from
/// `Acme Logistics` to `Søndergaard Robotics, Inc.`.
enum CompanyNames {
    static let leading: [String] = [
        "Acme", "Northwind", "Blue Ridge", "Summit", "Pioneer", "Lakeside", "Redwood", "Silverline",
        "Granite", "Harbor", "Evergreen", "Brightwater", "Keystone", "Meridian", "Oakmont",
        "Pinnacle", "Riverbend", "Sterling", "Tidewater", "Vantage", "Westbrook", "Zenith", "Atlas",
        "Beacon", "Cascade", "Crescent", "Élan", "Nordlicht", "Søndergaard", "Ibérica", "Lumière",
        "Sakura", "Ganga", "Kestrel", "Magnolia", "Polaris", "Quantum", "Saffron", "Juniper",
        "Großmann",
    ]

    static let trade: [String] = [
        "Logistics", "Analytics", "Dental", "Realty", "Insurance", "Foods", "Solutions", "Systems",
        "Partners", "Health", "Capital", "Energy", "Motors", "Robotics", "Textiles", "Media",
        "Consulting", "Labs", "Outfitters", "Pharmacy", "Construction", "Hospitality", "Telecom",
        "Software", "Café",
    ]

    /// Appended as written, so `, Inc.` puts a comma inside the CSV field.
    static let legalForms: [String] = ["", " Inc.", ", Inc.", " LLC", " Ltd"]

    /// Number of distinct company names.
    static let count = leading.count * trade.count * legalForms.count

    /// Top-level domains of company email addresses, chosen by company so one company keeps one domain.
    static let topLevelDomains: [String] = [".com", ".com", ".com", ".io", ".net", ".co", ".com"]

    static let leadingFolded: [String] = leading.map(ASCIIFolding.fold)
    static let tradeFolded: [String] = trade.map(ASCIIFolding.fold)

    /// Every company name, by index, built once.
    static let names: [String] = (0..<count).map(makeName)
    /// Every company's email domain, by index, built once.
    static let domains: [String] = (0..<count).map(makeDomain)

    /// The company numbered `index` in `0..<count`.
    static func name(_ index: Int) -> String { names[index] }

    /// The email domain of company `index`: `northwindlogistics.com`.
    static func domain(_ index: Int) -> String { domains[index] }

    private static func makeName(_ index: Int) -> String {
        let (lead, rest) = index.quotientAndRemainder(dividingBy: trade.count * legalForms.count)
        let (tradeIndex, form) = rest.quotientAndRemainder(dividingBy: legalForms.count)
        return leading[lead] + " " + trade[tradeIndex] + legalForms[form]
    }

    private static func makeDomain(_ index: Int) -> String {
        let (lead, rest) = index.quotientAndRemainder(dividingBy: trade.count * legalForms.count)
        let tradeIndex = rest / legalForms.count
        return leadingFolded[lead] + tradeFolded[tradeIndex]
            + topLevelDomains[(lead + tradeIndex) % topLevelDomains.count]
    }
}
