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

extension SharedTextsTests {
    /// A shared text lives as long as a record holds it: the last contact to let go of it (an
    /// erasure, an edit) frees it, and a snapshot's image no longer carries it.
    @Test func aTextNoContactHoldsLeavesTheTableAndTheImage() throws {
        var slots = ContactSlots()
        let marker = "Marker Company 7f3a9c Limited"
        for id in 1...ContactID(3) { slots[id] = Self.contact(id, company: marker, tags: ["marker-tag-7f3a9c", "vip"]) }
        var writer = BinaryWriter()
        slots.writeImage(into: &writer, pieceSize: .max) { _ in }
        #expect(writer.bytes.containsSequence(Array(marker.utf8)))
        slots[1] = nil
        var other = Self.contact(2, company: "Other", tags: [])
        slots[2] = other
        slots.removeValue(forKey: 3)
        writer = BinaryWriter()
        slots.writeImage(into: &writer, pieceSize: .max) { _ in }
        #expect(!writer.bytes.containsSequence(Array(marker.utf8)), "the freed text is not in the image")
        #expect(!writer.bytes.containsSequence(Array("marker-tag-7f3a9c".utf8)))
        // Freed numbers are given out again, and a reloaded table keeps working.
        other.company = "Reused Company Name Limited"
        for id in 4...ContactID(6) { var contact = other; contact.id = id; slots[id] = contact }
        var reader = BinaryReader(writer.bytes)
        _ = reader
        writer = BinaryWriter()
        slots.writeImage(into: &writer, pieceSize: .max) { _ in }
        reader = BinaryReader(writer.bytes)
        var loaded = try ContactSlots.readImage(&reader)
        #expect(loaded == slots)
        loaded[4] = nil
        loaded[5] = nil
        #expect(loaded[6]?.company == "Reused Company Name Limited")
    }
}

extension Array where Element == UInt8 {
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
