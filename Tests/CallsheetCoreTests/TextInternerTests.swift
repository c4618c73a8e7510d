import Testing
@testable import CallsheetCore

/// Sharing repeated texts never changes a contact's bytes.
@Suite struct TextInternerTests {
    @Test func canonicallyEqualTextsKeepTheirOwnBytes() {
        var interner = TextInterner()
        func contact(_ id: ContactID, company: String, tags: [String]) -> Contact {
            Contact(
                id: id, organizationID: 1, departmentID: 1, createdByUserID: 1, name: "N", phone: "+16502530000",
                company: company, tags: tags, createdAt: 0, updatedAt: 0)
        }
        let precomposed = "Caf\u{E9} de la Gare Limited"
        let decomposed = "Cafe\u{301} de la Gare Limited"
        #expect(precomposed == decomposed, "Swift calls them equal")
        let first = interner.intern(contact(1, company: precomposed, tags: ["R\u{E9}sum\u{E9}"]), notes: true)
        let second = interner.intern(contact(2, company: decomposed, tags: ["Re\u{301}sume\u{301}"]), notes: true)
        #expect(Array(first.company!.utf8) == Array(precomposed.utf8))
        #expect(Array(second.company!.utf8) == Array(decomposed.utf8), "not replaced by the precomposed copy")
        #expect(Array(second.tags[0].utf8) == Array("Re\u{301}sume\u{301}".utf8))
        // Equal bytes are shared.
        let third = interner.intern(contact(3, company: String(decoding: Array(decomposed.utf8), as: UTF8.self), tags: []), notes: true)
        #expect(Array(third.company!.utf8) == Array(decomposed.utf8))
    }
}
