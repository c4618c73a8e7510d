@testable import ContactGenerator
import Testing

/// Shape of 20,000 rows for one seed: the properties tests and benchmarks rely on.
@Suite("Distribution over 20,000 rows")
struct DistributionTests {
    static let rows = ContactGenerator.contacts(count: 20_000, seed: 2025)

    @Test("about 2% of rows repeat an earlier phone, always in a different writing")
    func repeatedPhones() {
        var firstWriting: [String: String] = [:]
        var repeats = 0
        for contact in Self.rows {
            if let earlier = firstWriting[contact.e164] {
                repeats += 1
                #expect(contact.repeatsEarlierPhone, "accidental collision on \(contact.e164)")
                #expect(contact.phone != earlier, "repeat of \(contact.e164) written the same way")
            } else {
                #expect(!contact.repeatsEarlierPhone)
                firstWriting[contact.e164] = contact.phone
            }
        }
        let share = Double(repeats) / Double(Self.rows.count)
        #expect((0.015...0.025).contains(share), "repeat share \(share)")
    }

    @Test("duplicatePhoneRate 0 gives no repeats; 0.5 gives about half")
    func repeatRateIsAParameter() {
        let none = ContactGenerator.contacts(count: 5_000, seed: 3, duplicatePhoneRate: 0)
        #expect(none.allSatisfy { !$0.repeatsEarlierPhone })
        #expect(Set(none.map(\.e164)).count == none.count)
        let half = ContactGenerator.contacts(count: 5_000, seed: 3, duplicatePhoneRate: 0.5)
        let share = Double(half.filter(\.repeatsEarlierPhone).count) / 5_000
        #expect((0.45...0.55).contains(share), "repeat share \(share)")
    }

    @Test("mostly US numbers, and GB, DE, FR, IN all present, in many writings")
    func phoneMix() {
        var byRegion: [String: Int] = [:]
        for contact in Self.rows { byRegion[contact.region, default: 0] += 1 }
        #expect(byRegion["US", default: 0] > 14_000)
        for region in ["GB", "DE", "FR", "IN"] {
            #expect(byRegion[region, default: 0] > 500, "\(region): \(byRegion[region, default: 0])")
        }
        #expect(Set(byRegion.keys) == ["US", "GB", "DE", "FR", "IN"])
        // Shapes: digits masked, so `(650) 253-0000` and `(212) 555-1234` count once.
        let shapes = Set(Self.rows.map { String($0.phone.map { $0.isNumber ? "9" : $0 }) })
        #expect(shapes.count >= 20)
        #expect(Self.rows.contains { $0.phone.hasPrefix("(") })
        #expect(Self.rows.contains { $0.phone.contains(".") })
        #expect(Self.rows.contains { $0.phone.allSatisfy(\.isNumber) })
        #expect(Self.rows.filter { $0.region != "US" }.allSatisfy { $0.phone.hasPrefix("+") })
        #expect(Self.rows.allSatisfy { $0.e164.hasPrefix("+") && $0.e164.dropFirst().allSatisfy(\.isNumber) })
    }

    @Test("names: non-empty, trimmed, from many cultures, with accents")
    func names() {
        for contact in Self.rows {
            #expect(!contact.name.isEmpty && contact.name.count <= 255)
            #expect(contact.name == contact.name.trimmingSpaces)
        }
        let accented = Self.rows.filter { $0.name.unicodeScalars.contains { !$0.isASCII } }.count
        #expect(accented > 4_000, "accented names: \(accented)")
        for fragment in ["é", "ü", "ø", "Ø", "ễ", "ß", "'", "-", "Nguyễn", "Kumar", "García", "Müller"] {
            #expect(Self.rows.contains { $0.name.contains(fragment) }, "no name contains \(fragment)")
        }
        #expect(Set(Self.rows.map(\.name)).count > 15_000)
    }

    @Test("emails: ASCII, lower-case, derived from names, some missing")
    func emails() {
        let present = Self.rows.compactMap(\.email)
        let missing = Self.rows.count - present.count
        #expect((1_500...3_500).contains(missing), "missing emails: \(missing)")
        for email in present {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && !parts[0].isEmpty && parts[1].contains("."), "\(email)")
            #expect(email.unicodeScalars.allSatisfy { $0.isASCII && !$0.properties.isUppercase }, "\(email)")
        }
        #expect(Set(present.map { $0.split(separator: "@")[1] }).count > 500)  // free-mail and company domains
        #expect(present.contains { $0.hasSuffix("@gmail.com") })
        let jose = Self.rows.first { $0.name.hasPrefix("José ") && $0.email != nil }
        #expect(jose?.email?.contains("jose") == true)
    }

    @Test("companies: 5,000 distinct names, nearly all reachable, some rows without")
    func companies() {
        #expect(ContactGenerator.companyCount == 5_000)
        #expect(Set((0..<CompanyNames.count).map(CompanyNames.name)).count == 5_000)
        let names = Self.rows.compactMap(\.company)
        #expect((2_000...4_000).contains(Self.rows.count - names.count))
        #expect(Set(names).count > 4_500, "distinct companies: \(Set(names).count)")
        #expect(names.contains { $0.contains(",") })
        #expect(names.contains { $0.unicodeScalars.contains { !$0.isASCII } })
    }

    @Test("tags: 0–4 distinct per row, every count and every tag of the vocabulary used")
    func tags() {
        let vocabulary = Set(ContactGenerator.tagVocabulary)
        #expect((45...55).contains(vocabulary.count))
        #expect(vocabulary.allSatisfy { !$0.contains(",") && $0 == $0.trimmingSpaces })
        var counts = [Int](repeating: 0, count: 5)
        var used: Set<String> = []
        for contact in Self.rows {
            #expect(contact.tags.count <= 4)
            #expect(Set(contact.tags).count == contact.tags.count)
            #expect(contact.tags.allSatisfy(vocabulary.contains))
            counts[min(contact.tags.count, 4)] += 1
            used.formUnion(contact.tags)
        }
        #expect(counts.allSatisfy { $0 > 1_000 }, "\(counts)")
        #expect(used == vocabulary)
        #expect(used.isSuperset(of: ["VIP", "DNC", "Q4-2025-Survey", "Enterprise", "SMB", "Prospect", "Active"]))
    }

    @Test("notes: often empty, otherwise with commas, quotes and line breaks")
    func notes() {
        let notes = Self.rows.compactMap(\.notes)
        #expect((7_000...9_000).contains(Self.rows.count - notes.count))
        #expect(notes.allSatisfy { !$0.isEmpty })
        #expect(notes.filter { $0.contains(",") }.count > 1_000)
        #expect(notes.filter { $0.contains("\"") }.count > 1_000)
        #expect(notes.filter { $0.contains("\n") }.count > 500)
        #expect(notes.contains { $0.contains(",") && $0.contains("\"") && $0.contains("\n") })
    }
}

extension String {
    var trimmingSpaces: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
