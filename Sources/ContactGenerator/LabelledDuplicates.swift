/// Contacts with known duplicates, for measuring duplicate detection (docs/BENCHMARKS.md,
/// "Duplicates"): a seeded share of people appear again, copied with the corruptions real
/// spreadsheets carry, and every row says which person it is.
///
/// Each person has a unique email address (no two people share a mailbox, Gmail's dots and
/// `+tags` folded when checking), and every copy has a phone of its own (a person's second
/// number: one contact per phone is what the store allows). A copy gets one to three of:
/// a typo in a name, accents dropped, first and last name swapped (`Doe, John` or `Doe John`),
/// the given name cut to an initial, a nickname for it, the email in other case, the company's
/// legal suffix changed, the email dropped.
public struct LabelledDuplicates: Sendable {
    /// One row and the person it belongs to.
    public struct Row: Sendable {
        public var contact: GeneratedContact
        /// The person: equal for a contact and its copies.
        public var person: Int
        /// What was done to a copy (empty for an original).
        public var corruptions: [String]
    }

    var generator: ContactGenerator
    var random: Xoshiro256
    let copyPerMille: Int
    var emails: Set<String> = []
    var pending: [Row] = []
    var nextPerson = 0

    /// - Parameters:
    ///   - duplicateShare: share (0…1) of people copied once (a tenth of those twice).
    public init(seed: UInt64, duplicateShare: Double = 0.1) {
        generator = ContactGenerator(seed: seed, duplicatePhoneRate: 0)
        random = Xoshiro256(seed: seed ^ 0x5EED_D0_0B1E)
        copyPerMille = Int((min(max(duplicateShare, 0), 1) * 1000).rounded())
    }

    /// The next row: an original, or a copy of a recent one.
    public mutating func next() -> Row {
        if !pending.isEmpty, random.chance(perMille: 500) { return pending.removeFirst() }
        var contact = generator.next()
        if let email = contact.email {
            var unique = email
            var suffix = 2
            while !emails.insert(Self.mailbox(unique)).inserted {
                let at = email.lastIndex(of: "@")!
                unique = email[..<at] + String(suffix) + email[at...]
                suffix += 1
            }
            contact.email = unique
        }
        let person = nextPerson
        nextPerson += 1
        if random.chance(perMille: copyPerMille) {
            pending.append(copy(of: contact, person: person))
            if random.chance(perMille: 100) { pending.append(copy(of: contact, person: person)) }
        }
        return Row(contact: contact, person: person, corruptions: [])
    }

    /// The mailbox an address reaches: lower case, and at Gmail without dots or `+tag`.
    static func mailbox(_ email: String) -> String {
        let lowered = email.lowercased()
        guard let at = lowered.lastIndex(of: "@"), lowered[at...] == "@gmail.com" || lowered[at...] == "@googlemail.com" else { return lowered }
        var local = lowered[..<at]
        if let plus = local.firstIndex(of: "+") { local = local[..<plus] }
        return local.filter { $0 != "." } + "@gmail.com"
    }

    static let nicknames: [String: String] = [
        "William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Katherine": "Kate", "Michael": "Mike", "James": "Jim",
        "Richard": "Rick", "Thomas": "Tom", "Joseph": "Joe", "Margaret": "Maggie", "Daniel": "Dan", "Jennifer": "Jen",
        "Alexander": "Alex", "Christopher": "Chris", "Patricia": "Patty", "Susan": "Sue", "Charles": "Charlie",
    ]
    static let suffixes = [" Inc", " Inc.", ", LLC", " Ltd", " GmbH", " Corp", " Co.", " SA", " PLC"]

    mutating func copy(of original: GeneratedContact, person: Int) -> Row {
        var contact = original
        let fresh = generator.next()
        contact.phone = fresh.phone
        contact.e164 = fresh.e164
        contact.region = fresh.region
        contact.tags = fresh.tags
        contact.notes = fresh.notes
        var done: [String] = []
        let count = 1 + random.below(3)
        var tokens = contact.name.split(separator: " ").map(String.init)
        for _ in 0..<count {
            switch random.below(8) {
            case 0 where tokens.count >= 2:
                let index = random.below(tokens.count)
                var letters = Array(tokens[index])
                guard letters.count >= 4 else { continue }
                let at = 1 + random.below(letters.count - 2)
                switch random.below(3) {
                case 0: letters.remove(at: at)
                case 1: letters.swapAt(at, at + 1)
                default: letters[at] = Character(String(UnicodeScalar(UInt8(97 + random.below(26)))))
                }
                tokens[index] = String(letters)
                done.append("typo")
            case 1:
                tokens = tokens.map(ASCIIFolding.fold)
                done.append("accents")
            case 2 where tokens.count >= 2 && !done.contains("swap"):
                let last = tokens.removeLast()
                tokens.insert(random.chance(perMille: 500) ? last + "," : last, at: 0)
                done.append("swap")
            case 3 where tokens.count >= 2 && !done.contains("swap") && !done.contains("initial"):
                tokens[0] = String(tokens[0].prefix(1)) + "."
                done.append("initial")
            case 4 where !done.contains("initial") && !done.contains("swap"):
                guard let nickname = Self.nicknames[tokens[0]] else { continue }
                tokens[0] = nickname
                done.append("nickname")
            case 5:
                guard let email = contact.email else { continue }
                contact.email = random.chance(perMille: 500) ? email.uppercased() : email.prefix(1).uppercased() + email.dropFirst()
                done.append("email case")
            case 6:
                guard let company = contact.company else { continue }
                let stripped = Self.suffixes.reduce(company) { text, suffix in text.hasSuffix(suffix) ? String(text.dropLast(suffix.count)) : text }
                contact.company = stripped == company ? company + random.pick(Self.suffixes) : stripped
                done.append("company suffix")
            case 7 where random.chance(perMille: 300):
                guard contact.email != nil else { continue }
                contact.email = nil
                done.append("email dropped")
            default:
                continue
            }
        }
        contact.name = tokens.joined(separator: " ")
        return Row(contact: contact, person: person, corruptions: done)
    }

    /// The first `count` rows for `seed`.
    public static func rows(count: Int, seed: UInt64, duplicateShare: Double = 0.1) -> [Row] {
        var generator = LabelledDuplicates(seed: seed, duplicateShare: duplicateShare)
        return (0..<max(count, 0)).map { _ in generator.next() }
    }
}
