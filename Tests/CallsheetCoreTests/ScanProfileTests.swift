@testable import CallsheetCore
import TestSupport
import Testing
import TextIndex

/// The scan's packed profiles (``ScanProfiles``) against the `String`-level profiles they stand
/// for: the same blocking keys, name order and hashes, and a filter (``ScanProfiles/mayLink``)
/// that never drops a pair the scan would link, so that a scan's results stay the matcher's.
@Suite struct ScanProfileTests {
    static let givens = [
        "john", "jon", "johnny", "jack", "robert", "bob", "rob", "bobby", "william", "bill", "liz", "elizabeth", "kate", "katherine",
        "mike", "michael", "j", "r", "a", "anna", "ann", "maria", "marie", "josé", "zoë", "sasha", "alexander", "alexandra", "ed",
        "muhammad", "mohammed", "иван", "李", "o'brien", "jean-luc", "x", "ng", "123",
    ]
    static let surnames = [
        "smith", "smyth", "doe", "brown", "garcía", "garcia", "müller", "muller", "o'neil", "van der berg", "петров", "小龙", "lee", "li",
        "nguyen", "de la cruz", "kowalski", "kowalsky", "ab", "inc",
    ]
    static let companies = ["Acme Inc", "ACME, Inc.", "The Acme Corp", "Globex GmbH", "Initech", "Inc", "Société Générale SA", "Umbrella LLC", "Kelvin \u{212A}K", ""]

    /// A random name: one to four tokens, odd punctuation and case, sometimes past 64 bytes.
    static func name(_ random: inout SplitMix64) -> String {
        var parts: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) { parts.append(givens.randomElement(using: &random)!) }
        parts.append(surnames.randomElement(using: &random)!)
        if Int.random(in: 0..<20, using: &random) == 0 { parts.append(String(repeating: "abcdefghij", count: 7)) }
        if Int.random(in: 0..<30, using: &random) == 0 { return "" }
        var text = Int.random(in: 0..<4, using: &random) == 0 ? parts.reversed().joined(separator: ", ") : parts.joined(separator: " ")
        if Bool.random(using: &random) { text = text.capitalized }
        return text
    }

    /// `name` with a typo, a token dropped, an initial, or tokens swapped.
    static func corrupted(_ name: String, _ random: inout SplitMix64) -> String {
        var tokens = name.split(separator: " ").map(String.init)
        guard !tokens.isEmpty else { return name }
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            var bytes = Array(name.utf8)
            let index = Int.random(in: 0..<bytes.count, using: &random)
            if bytes[index] < 0x80 { bytes[index] = UInt8.random(in: 0x61...0x7A, using: &random) }
            return String(decoding: bytes, as: UTF8.self)
        case 1 where tokens.count > 1: tokens.remove(at: Int.random(in: 0..<tokens.count, using: &random))
        case 2: tokens[0] = String(tokens[0].prefix(1))
        case 3: tokens.reverse()
        default: tokens.append(givens.randomElement(using: &random)!)
        }
        return tokens.joined(separator: " ")
    }

    static func email(_ random: inout SplitMix64) -> String? {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: nil
        case 1: "John.Doe+news@GoogleMail.com"
        case 2: "johndoe@gmail.com"
        case 3: "JOHN@example.com"
        case 4: "zoë@exämple.com"
        default: "user\(Int.random(in: 0..<5, using: &random))@example.com"
        }
    }

    static func phone(_ random: inout SplitMix64) -> String {
        ["", "+16502530000", "+442079460000", "+4915112345", "+33123", "+86\(Int.random(in: 1_000_000...1_000_004, using: &random))"].randomElement(using: &random)!
    }

    /// The packed profile of a contact, from folded texts as the scan reads them, and its keys.
    static func packed(_ profiles: inout ScanProfiles, name: String, phone: String, email: String?, company: String?, settings: DuplicateSettings) -> (keys: [UInt64], nameHash: UInt64, order: UInt64) {
        var keys: [UInt64] = []
        var folded = TextFolding.fold(name)
        var foldedCompany = company.map(TextFolding.fold)
        let (nameHash, order) = folded.withUTF8 { name in
            guard foldedCompany != nil else {
                return profiles.append(id: 1, foldedName: name, phone: phone, email: email, foldedCompany: nil, settings: settings, keys: &keys)
            }
            return foldedCompany!.withUTF8 { company in
                profiles.append(id: 1, foldedName: name, phone: phone, email: email, foldedCompany: company, settings: settings, keys: &keys)
            }
        }
        return (Array(Set(keys)).sorted(), nameHash, order)
    }

    @Test("Packed profiles give the String-level profiles' keys, name hash and order, and hashes of the same texts")
    func sameKeys() {
        var random = SplitMix64(seed: 13)
        for round in 0..<4_000 {
            var settings = DuplicateSettings()
            settings.gmailNormalization = round % 3 != 0
            let name = Self.name(&random), phone = Self.phone(&random), email = Self.email(&random)
            let company = Bool.random(using: &random) ? Self.companies.randomElement(using: &random)! : nil
            let profile = DuplicateProfile(id: 1, name: name, phone: phone, email: email, company: company, settings: settings)
            var expected: [UInt64] = []
            NameKeys.keys(of: profile, settings: settings, into: &expected)
            var profiles = ScanProfiles()
            let (keys, nameHash, order) = Self.packed(&profiles, name: name, phone: phone, email: email, company: company, settings: settings)
            #expect(keys == Array(Set(expected)).sorted(), "\(name)")
            #expect(nameHash == NameKeys.hash(5, bytes: profile.name.sortedJoined), "\(name)")
            var expectedOrder: UInt64 = 0
            for index in 0..<8 { expectedOrder = expectedOrder << 8 | UInt64(index < profile.name.sortedJoined.count ? profile.name.sortedJoined[index] : 0) }
            #expect(order == expectedOrder, "\(name)")
            let record = profiles.records[0]
            profiles.bytes.withUnsafeBufferPointer { arena in
                #expect(Array(arena[Int(record.joinedStart)..<(Int(record.joinedStart) + Int(record.joinedCount))]) == profile.name.joined, "\(name)")
                #expect(Array(arena[Int(record.sortedStart)..<(Int(record.sortedStart) + Int(record.joinedCount))]) == profile.name.sortedJoined, "\(name)")
            }
            #expect(Int(record.tokenCount) == profile.name.canonical.count)
            #expect(record.flags.contains(.hasInitial) == profile.name.hasInitial)
            #expect(record.bag == profile.name.bag)
            #expect(record.phoneKey == profile.phoneKey && record.nationalKey == profile.nationalKey)
            #expect(record.flags.contains(.hasEmail) == (profile.email != nil))
            if profile.email != nil { #expect(record.emailKey == profile.emailKey, "\(email ?? "")") }
            #expect(record.flags.contains(.hasCompany) == (profile.company != nil), "\(company ?? "")")
            if let normalized = profile.company { #expect(record.companyKey == NameKeys.hash(7, bytes: normalized.utf8), "\(company ?? "")") }
        }
    }

    @Test("The filter never drops a pair the scan links, rules out most others, and scores names as NameSimilarity does")
    func filterKeepsEveryMatch() {
        var random = SplitMix64(seed: 2026)
        var linked = 0, ruledOut = 0, unlinked = 0
        for round in 0..<6_000 {
            var settings = DuplicateSettings()
            settings.threshold = [60, 75, 85, 85, 92, 100][round % 6]
            // Each rule off now and then: the filter must follow the settings.
            if round % 7 == 3 { settings.rules.remove(.nameCompany) }
            if round % 11 == 5 { settings.rules.remove(.name) }
            if round % 13 == 7 { settings.rules.remove(.email) }
            let nameA = Self.name(&random)
            let nameB = Bool.random(using: &random) ? Self.corrupted(nameA, &random) : Self.name(&random)
            let phoneA = Self.phone(&random), phoneB = Self.phone(&random)
            let emailA = Self.email(&random), emailB = Int.random(in: 0..<3, using: &random) == 0 ? emailA : Self.email(&random)
            let companyA = Bool.random(using: &random) ? Self.companies.randomElement(using: &random)! : nil
            let companyB = Bool.random(using: &random) ? companyA : Self.companies.randomElement(using: &random)!
            let a = DuplicateProfile(id: 1, name: nameA, phone: phoneA, email: emailA, company: companyA, settings: settings)
            let b = DuplicateProfile(id: 2, name: nameB, phone: phoneB, email: emailB, company: companyB, settings: settings)
            var profiles = ScanProfiles()
            _ = Self.packed(&profiles, name: nameA, phone: phoneA, email: emailA, company: companyA, settings: settings)
            _ = Self.packed(&profiles, name: nameB, phone: phoneB, email: emailB, company: companyB, settings: settings)
            let rules = ScanRules(settings)
            // What the scan links: a match at the threshold, on the name alone only between
            // contacts without email or company.
            let match = DuplicateMatcher.compare(a, b, settings: settings)
            let onNameAlone = !(match?.evidence.contains { $0.rule != .name && $0.score >= settings.threshold } ?? false)
            let links = (match?.score ?? -1) >= settings.threshold
                && (!onNameAlone || (a.email == nil && b.email == nil && a.company == nil && b.company == nil))
            let mayMatch = profiles.bytes.withUnsafeBufferPointer { ScanProfiles.mayLink(profiles.records[0], profiles.records[1], arena: $0, rules: rules) }
            if links {
                linked += 1
                #expect(mayMatch, "\(nameA) | \(emailA ?? "-") | \(companyA ?? "-") ~ \(nameB) | \(emailB ?? "-") | \(companyB ?? "-") at \(settings.threshold)")
            } else {
                unlinked += 1
                if !mayMatch { ruledOut += 1 }
            }
            // Without nicknames, the packed similarity is NameSimilarity's wherever either reaches the minimum.
            guard !a.name.hasNickname, !b.name.hasNickname else { continue }
            let minimum = settings.threshold
            let expected = NameSimilarity.compare(a.name, b.name, atLeast: minimum).score
            let packed = profiles.bytes.withUnsafeBufferPointer { ScanProfiles.nameSimilarity(profiles.records[0], profiles.records[1], arena: $0, atLeast: minimum) }
            if expected >= minimum || packed >= minimum { #expect(packed == expected, "\(nameA) ~ \(nameB) at \(minimum)") }
        }
        #expect(linked > 200)
        #expect(ruledOut * 10 > unlinked * 8, "the filter should rule out most pairs the matcher does not link: \(ruledOut) of \(unlinked)")
    }

    @Test("Levenshtein on byte buffers: the banded distance is the full one when within the limit")
    func bandedDistance() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<3_000 {
            let x = (0..<Int.random(in: 0...12, using: &random)).map { _ in UInt8.random(in: 0x61...0x64, using: &random) }
            let y = (0..<Int.random(in: 0...12, using: &random)).map { _ in UInt8.random(in: 0x61...0x64, using: &random) }
            let limit = Int.random(in: 0...6, using: &random)
            // The textbook recurrence, whole table.
            var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
            for i in 0...x.count { table[i][0] = i }
            for j in 0...y.count { table[0][j] = j }
            for i in stride(from: 1, through: x.count, by: 1) {
                for j in stride(from: 1, through: y.count, by: 1) {
                    table[i][j] = min(table[i - 1][j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1), table[i - 1][j] + 1, table[i][j - 1] + 1)
                }
            }
            let full = table[x.count][y.count]
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    #expect(Levenshtein.distance(x, y) == full)
                    #expect(Levenshtein.distance(x, y, atMost: limit) == (full <= limit ? full : nil))
                }
            }
        }
    }

    @Test("A large block's pairs come back once each, in order, as a sorted set of them would")
    func largeBlockPairs() {
        var random = SplitMix64(seed: 99)
        for contacts in [2, 3, 1_000, 70_000, 1 << 20] {
            var pairs = LargeBlockPairs(contacts: contacts, capacity: 0)
            var expected = Set<[UInt32]>()
            for _ in 0..<Int.random(in: 0...5_000, using: &random) {
                let low = UInt32.random(in: 0..<UInt32(contacts - 1), using: &random)
                let high = UInt32.random(in: (low + 1)..<UInt32(contacts), using: &random)
                // Repeats, as two keys' neighbourhoods give them.
                for _ in 0..<Int.random(in: 1...3, using: &random) { pairs.append(low, high) }
                expected.insert([low, high])
            }
            var seen: [[UInt32]] = []
            pairs.forEachUnique { low, high in
                seen.append([low, high])
                return true
            }
            #expect(seen == expected.sorted { $0.lexicographicallyPrecedes($1) }, "\(contacts) contacts")
        }
        var keys = (0..<50_000).map { _ in UInt64.random(in: 0..<(1 << 40), using: &random) }
        let sorted = keys.sorted()
        LargeBlockPairs.radixSort(&keys, bits: 40)
        #expect(keys == sorted)
    }
}
