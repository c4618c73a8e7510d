import Testing
@testable import CallsheetCore

/// Sharing repeated texts never changes a contact's bytes, and a column of unique texts is
/// never entered into the shared table.
@Suite struct SharedTextsTests {
    static func contact(_ id: ContactID, company: String, tags: [String]) -> Contact {
        Contact(
            id: id, organizationID: 1, departmentID: 1, createdByUserID: 1, name: "N", phone: "+16502530000",
            company: company, tags: tags, createdAt: 0, updatedAt: 0)
    }

    @Test func canonicallyEqualTextsKeepTheirOwnBytes() {
        var slots = ContactSlots()
        let precomposed = "Caf\u{E9} de la Gare Limited"
        let decomposed = "Cafe\u{301} de la Gare Limited"
        #expect(precomposed == decomposed, "Swift calls them equal")
        // Each text is seen several times, so both are shared.
        for round in 0..<3 {
            let base = ContactID(round * 10)
            slots[base + 1] = Self.contact(base + 1, company: precomposed, tags: ["R\u{E9}sum\u{E9}"])
            slots[base + 2] = Self.contact(base + 2, company: decomposed, tags: ["Re\u{301}sume\u{301}"])
        }
        for round in 0..<3 {
            let base = ContactID(round * 10)
            #expect(Array(slots[base + 1]!.company!.utf8) == Array(precomposed.utf8))
            #expect(Array(slots[base + 2]!.company!.utf8) == Array(decomposed.utf8), "not replaced by the precomposed copy")
            #expect(Array(slots[base + 2]!.tags[0].utf8) == Array("Re\u{301}sume\u{301}".utf8))
            #expect(Array(slots[base + 1]!.tags[0].utf8) == Array("R\u{E9}sum\u{E9}".utf8))
        }
    }

    @Test func repeatedTextsAreSharedAndUniqueOnesAreNot() {
        var texts = SharedTexts()
        #expect(texts.number(of: "Acme Widgets Limited") == nil, "seen once: inline")
        let number = texts.number(of: "Acme Widgets Limited")
        #expect(number != nil, "seen twice: shared")
        #expect(texts.number(of: "Acme Widgets Limited") == number)
        #expect(texts[text: number!] == "Acme Widgets Limited")
        for index in 0..<100_000 { _ = texts.number(of: "Unique company \(index)") }
        #expect(texts.texts.count < 100, "\(texts.texts.count) unique texts entered")
        #expect(texts.number(of: [String]()) == nil)
    }
}
