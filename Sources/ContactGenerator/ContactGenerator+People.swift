extension ContactGenerator {
    /// A drawn name, with the ASCII folds its email address is built from.
    struct Person {
        var name: String
        var first: String
        var last: String
    }

    static let firstFolded: [String] = PersonNames.first.map(ASCIIFolding.fold)
    static let lastFolded: [String] = PersonNames.last.map(ASCIIFolding.fold)
    private static let middleInitials: [String] = "ABCDEFGHJKLMNPRSTW".map { String($0) }

    mutating func nextPerson() -> Person {
        let first = random.below(PersonNames.first.count)
        let last = random.below(PersonNames.last.count)
        let given = PersonNames.first[first]
        let family = PersonNames.last[last]
        let name: String
        switch random.weightedIndex([850, 70, 50, 30]) {
        case 1:  // middle initial: "José A. García"
            name = given + " " + random.pick(Self.middleInitials) + ". " + family
        case 2:  // two given names: "Anna Sofía Müller"
            name = given + " " + random.pick(PersonNames.first) + " " + family
        case 3:  // double-barrelled family name: "Zoë Müller-Øberg"
            name = given + " " + family + "-" + random.pick(PersonNames.last)
        default:
            name = given + " " + family
        }
        return Person(name: name, first: Self.firstFolded[first], last: Self.lastFolded[last])
    }

    /// An address built from the name the way people build theirs, at a free-mail provider of
    /// the phone's country or at the company's own domain; nil for about one row in eight.
    mutating func nextEmail(person: Person, region: String, companyIndex: Int?) -> String? {
        guard !random.chance(perMille: 120) else { return nil }
        let first = person.first.isEmpty ? "contact" : person.first
        let last = person.last.isEmpty ? "info" : person.last
        let initial = String(first.prefix(1))
        let local: String
        switch random.weightedIndex([300, 100, 100, 150, 50, 50, 100, 50, 100]) {
        case 0: local = first + "." + last
        case 1: local = first + last
        case 2: local = initial + "." + last
        case 3: local = initial + last
        case 4: local = first + "_" + last
        case 5: local = last + "." + first
        case 6: local = first + "." + last + String(10 + random.below(90))
        case 7: local = first + String(last.prefix(1))
        default: local = first + String(1960 + random.below(46))
        }
        let domain: String
        if let companyIndex, random.chance(perMille: 400) {
            domain = CompanyNames.domain(companyIndex)
        } else {
            domain = random.pick(EmailDomains.byRegion[region] ?? EmailDomains.fallback)
        }
        return local + "@" + domain
    }
}
