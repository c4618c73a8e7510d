@testable import CallsheetCore
import Testing

/// Contacts stored as records (``ContactSlots``) and the table's snapshot image: every field
/// comes back as it went in, writes after writes leave no stale record, the image loads to the
/// same organization as one built contact by contact, and a damaged image is refused, never a crash.
@Suite struct ContactRecordTests {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    }

    static let texts = ["", "a", "Acme Widgets Limited", "Caf\u{E9} de la Gare", "Cafe\u{301} de la Gare", "東京都港区", "🙂 emoji",
                        String(repeating: "long text ", count: 40), "=HYPERLINK(\"x\")", "line\nbreak"]

    static func contact(_ id: ContactID, _ random: inout Random) -> Contact {
        var contact = Contact(
            id: id, organizationID: 7, departmentID: ContactID(random.below(4) + 1), createdByUserID: ContactID(random.below(3) + 1),
            name: random.pick(["Ann", "Jonathan Smithers-Livingstone", "Zoë Ångström", "李小龙"]) + " \(id)",
            phone: random.below(10) == 0 ? "not-e164-\(id)" : "+1650\(2_530_000 + Int(id))",
            createdAt: 1_700_000_000_000 + Int64(random.below(1_000_000)), updatedAt: 0)
        contact.updatedAt = contact.createdAt + Int64(random.below(5_000))
        if random.below(2) == 0 { contact.email = "person\(id)@example.com" }
        if random.below(2) == 0 { contact.company = random.pick(Self.texts) }
        if random.below(2) == 0 { contact.notes = random.pick(Self.texts) }
        if random.below(4) == 0 { contact.phoneExtension = "\(random.below(9999))" }
        contact.tags = Array(["vip", "Lead", "résumé", "DNC", "east-coast"].prefix(random.below(4)))
        if random.below(3) == 0 {
            contact.customFields = [
                "city": .text(random.pick(Self.texts)), "size": .integer(Int64(random.below(1000)) - 500),
                "score": .decimal(DecimalNumber("12.50")!), "since": .date("2024-02-29"), "active": .checkbox(random.below(2) == 0),
                "bio": .text(String(repeating: "x", count: 60 + random.below(20))),
            ].filter { _ in random.below(2) == 0 }
        }
        if random.below(3) == 0 {
            contact.lastCalledAt = contact.createdAt - 10 + Int64(random.below(100))
            contact.lastCallOutcome = random.pick(["answered", "no_answer", "voicemail"])
            contact.totalCalls = random.below(50)
        }
        if random.below(5) == 0 { contact.archivedAt = contact.createdAt + 1 }
        if random.below(7) == 0 { contact.mergedInto = id + 1 }
        return contact
    }

    @Test func recordsKeepEveryFieldThroughWritesAndCompaction() {
        var random = Random(state: 1)
        var slots = ContactSlots()
        var model: [ContactID: Contact] = [:]
        for step in 0..<20_000 {
            let id = ContactID(random.below(3_000) + 1)
            if random.below(10) == 0 {
                #expect(slots.removeValue(forKey: id)?.id == model.removeValue(forKey: id)?.id)
            } else {
                let contact = Self.contact(id, &random)
                slots[id] = contact
                model[id] = contact
            }
            if step % 997 == 0 {
                #expect(slots.count == model.count)
                #expect(slots.archivedCount == model.values.count(where: \.isArchived))
                #expect(model.keys.allSatisfy { slots.isArchived($0) == model[$0]!.isArchived })
                for (id, contact) in model { #expect(slots[id] == contact) }
            }
        }
        #expect(Array(slots.keys) == model.keys.sorted())
        #expect(Array(slots).map(\.id) == model.keys.sorted())
        for contact in slots { #expect(model[contact.id] == contact) }
        // Rewrites leave garbage, compacted away: the arenas stay within 2× their live records.
        let arena = slots.arenaBytes
        #expect(arena.garbage <= max(arena.live, 64 << 10), "\(arena)")
        // Every byte of each text comes back as given (no canonical-equivalence swaps).
        for contact in slots where contact.company != nil {
            #expect(Array(contact.company!.utf8) == Array(model[contact.id]!.company!.utf8))
        }
    }

    /// `CONTACT.LOGCALL` rewrites a record's call fields in place (no decode, no re-encode of
    /// its other texts): the contact must come out as setting the fields on the decoded value
    /// would make it, the previous fields must be the ones it held, and the outcome's shared
    /// text must be counted exactly (a table emptied of contacts holds no text, and a double
    /// release would trap).
    @Test func callFieldsWrittenInPlaceMatchTheDecodedPath() {
        var random = Random(state: 3)
        var slots = ContactSlots()
        var model: [ContactID: Contact] = [:]
        for id in 1...ContactID(2_000) {
            let contact = Self.contact(id, &random)
            slots[id] = contact
            model[id] = contact
        }
        let outcomes: [String?] = ["answered", "no_answer", "voicemail", nil, "a rare outcome \(random.below(1_000))"]
        for step in 0..<30_000 {
            let id = ContactID(random.below(2_100) + 1)  // some ids hold no contact
            let outcome = outcomes[random.below(outcomes.count)]
            let fields = CallFields(
                contactID: id, lastCalledAt: outcome == nil ? nil : 1_700_000_000_000 + Int64(random.below(10_000_000)) - 5_000_000,
                lastCallOutcome: outcome, totalCalls: random.below(1_000), updatedAt: 1_700_000_000_000 + Int64(step))
            let previous = slots.setCallFields(fields)
            guard var contact = model[id] else {
                #expect(previous == nil)
                continue
            }
            #expect(previous == CallFields(of: contact))
            contact.set(fields)
            model[id] = contact
            if step % 1_000 == 0 { #expect(slots[id] == contact) }
            if step % 7 == 0 {  // interleave whole-record writes, which release and retain too
                let replacement = Self.contact(id, &random)
                slots[id] = replacement
                model[id] = replacement
            }
        }
        for (id, contact) in model { #expect(slots[id] == contact) }
        for id in model.keys { slots[id] = nil }
        let heldTexts = slots.texts.texts.filter { !$0.isEmpty }
        #expect(heldTexts.isEmpty, "every shared text freed with the last contact")
        #expect(slots.isEmpty)
    }

    @Test func mergedContactsAreFoundByTheirPresenceByte() {
        var random = Random(state: 4)
        var slots = ContactSlots()
        for id in 1...ContactID(3_000) {
            var contact = Self.contact(id, &random)
            contact.mergedInto = random.below(3) == 0 ? ContactID(random.below(20) + 1) : nil
            if contact.mergedInto == id { contact.mergedInto = nil }
            slots[id] = contact
        }
        for survivor in 1...ContactID(21) {
            #expect(slots.contacts(mergedInto: survivor) == slots.filter { $0.mergedInto == survivor })
        }
    }

    @Test func aWriteAfterACopyLeavesTheCopyAsItWas() {
        var random = Random(state: 2)
        var slots = ContactSlots()
        for id in 1...ContactID(5_000) { slots[id] = Self.contact(id, &random) }
        let copy = slots
        let before = Array(copy)
        for id in stride(from: ContactID(1), through: 5_000, by: 7) { slots[id] = Self.contact(id, &random) }
        slots[3] = nil
        #expect(Array(copy) == before)
        #expect(copy.count == 5_000 && slots.count == 4_999)
    }

    static func organization(_ contacts: Int, seed: UInt64) -> OrganizationState {
        var random = Random(state: seed)
        var state = OrganizationState(organization: Organization(id: 7, name: "Acme", defaultRegion: "US", createdAt: 0))
        state.apply([.putDepartment(Department(id: 1, name: "A")), .putDepartment(Department(id: 2, name: "B")),
                     .putDepartment(Department(id: 3, name: "C")), .putDepartment(Department(id: 4, name: "D"))])
        for id in 1...ContactID(contacts) {
            var contact = Self.contact(id, &random)
            contact.mergedInto = nil
            state.apply(.putContact(contact))
        }
        // Rewrites and removals, so that the image is written from arenas with garbage.
        for _ in 0..<(contacts / 3) {
            let id = ContactID(random.below(contacts) + 1)
            if random.below(8) == 0 { state.apply(.removeContact(id)) } else if var contact = state.contacts[id] {
                contact.notes = "rewritten \(random.below(100))"
                contact.tags = random.below(2) == 0 ? ["vip"] : ["Lead", "east-coast"]
                state.apply(.putContact(contact))
            }
        }
        return state
    }

    @Test(arguments: [(12, false), (2_500, true)])
    func theImageLoadsToTheSameOrganization(contacts: Int, textImage: Bool) throws {
        let state = Self.organization(contacts, seed: UInt64(contacts))
        var writer = BinaryWriter()
        state.encode(into: &writer, indexImage: textImage)
        var reader = BinaryReader(writer.bytes)
        let loaded = try OrganizationState.decode(&reader, indexImage: textImage)
        #expect(reader.isAtEnd)
        #expect(loaded.contacts == state.contacts)
        #expect(loaded.contacts.archivedCount == state.contacts.archivedCount)
        #expect(loaded.contacts.archivedCount == state.contacts.count(where: \.isArchived))
        #expect(loaded._checkInvariants().isEmpty, "\(loaded._checkInvariants())")
        // The same as the contact-by-contact format of content version 4.
        var old = BinaryWriter()
        state.encode(into: &old, indexImage: textImage, contactImage: false)
        var oldReader = BinaryReader(old.bytes)
        let viaRecords = try OrganizationState.decode(&oldReader, indexImage: textImage, contactImage: false)
        #expect(viaRecords.contacts == loaded.contacts)
        #expect(viaRecords.phoneIndex == loaded.phoneIndex)
        #expect(viaRecords.tagIndex == loaded.tagIndex && viaRecords.tagDisplay == loaded.tagDisplay)
        #expect(viaRecords.departmentIndex == loaded.departmentIndex && viaRecords.orderedIDs == loaded.orderedIDs)
        #expect(viaRecords.nextContactID == loaded.nextContactID)
        // Pieces: the same bytes whatever the piece size.
        var pieces: [UInt8] = []
        var pieceWriter = BinaryWriter()
        state.encode(into: &pieceWriter, indexImage: textImage, pieceSize: 1_000) { pieces += $0 }
        pieces += pieceWriter.bytes
        #expect(pieces == writer.bytes)
    }

    @Test func aDamagedImageIsRefusedOrLoadsSafely() throws {
        let state = Self.organization(300, seed: 9)
        var writer = BinaryWriter()
        state.encode(into: &writer, indexImage: false)
        let bytes = writer.bytes
        var random = Random(state: 3)
        var refused = 0
        for round in 0..<3_000 {
            var damaged = bytes
            if round % 3 == 0 {
                damaged.removeLast(random.below(damaged.count))
            } else {
                for _ in 0...random.below(3) { damaged[random.below(damaged.count)] ^= UInt8(1 << random.below(8)) }
            }
            var reader = BinaryReader(damaged)
            do {
                let loaded = try OrganizationState.decode(&reader, indexImage: false)
                // What loads is whole: every contact decodes and renders.
                for contact in loaded.contacts { _ = contact.name.count + contact.tags.count }
            } catch {
                refused += 1
            }
        }
        #expect(refused > 1_000)
    }
}
