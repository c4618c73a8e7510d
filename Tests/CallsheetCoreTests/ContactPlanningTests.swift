import CallsheetCore
import Testing

@Suite struct ContactPlanningTests {
    @Test(arguments: ["(650) 253-0000", "650.253.0000", "+1 650 253 0000", "16502530000", "+16502530000", "1-650-253-0000"])
    func phonesNormalizeToE164(_ written: String) throws {
        var fixture = Fixture()
        let contact = try fixture.add(#"{"name":"Ann","phone":"\#(written)"}"#)
        #expect(contact.phone == "+16502530000")
    }

    @Test func regionDecidesNationalNumbers() throws {
        var fixture = Fixture(region: "GB")
        #expect(try fixture.add(#"{"name":"Ann","phone":"020 7946 0000"}"#).phone == "+442079460000")
    }

    @Test(arguments: ["12", "abc", "+999 123456", "555-0100", "1234567890123456789", ""])
    func invalidPhonesAreRefused(_ written: String) {
        var fixture = Fixture()
        let failure = error { try fixture.add(#"{"name":"Ann","phone":"\#(written)"}"#) }
        #expect(failure?.code == .invalidPhone)
        #expect(fixture.state.contacts.isEmpty)
    }

    @Test func possibleValidationRelaxes() throws {
        var fixture = Fixture()
        #expect(error { try fixture.add(#"{"name":"Ann","phone":"+1 555 010 0000"}"#) }?.code == .invalidPhone)
        let organization = try fixture.state.planSetting("phone_validation", "possible", by: fixture.admin, phones: fixture.context.phones)
        fixture.state.apply(.putOrganization(organization))
        #expect(try fixture.add(#"{"name":"Ann","phone":"+1 555 010 0000"}"#).phone == "+15550100000")
    }

    @Test func duplicatePhoneNamesTheExistingContact() throws {
        var fixture = Fixture()
        let first = try fixture.add(#"{"name":"Ann","phone":"+16502530000"}"#)
        let failure = error { try fixture.add(#"{"name":"Bo","phone":"(650) 253-0000"}"#) }
        #expect(failure?.code == .duplicatePhone)
        #expect(failure?.message == "phone +16502530000 already belongs to contact \(first.id)")
        // A manager of another department learns only that it exists elsewhere.
        let hidden = error { try fixture.add(#"{"name":"Bo","phone":"650 253 0000"}"#, by: fixture.supportManager) }
        #expect(hidden?.message == "phone +16502530000 already belongs to a contact of another department")
        // Archived contacts keep their phone.
        fixture.state.apply(try fixture.state.planDelete(first.id, permanent: false, by: fixture.admin, context: fixture.context))
        #expect(error { try fixture.add(#"{"name":"Bo","phone":"650 253 0000"}"#) }?.message.contains("archived") == true)
    }

    @Test func nameEmailAndMembersAreChecked() {
        var fixture = Fixture()
        #expect(error { try fixture.add(#"{"phone":"+16502530000"}"#) }?.message == "field 'name' is required and must be text")
        #expect(error { try fixture.add(#"{"name":"   ","phone":"+16502530000"}"#) }?.code == .invalidField)
        #expect(error { try fixture.add(#"{"name":"\#(String(repeating: "a", count: 256))","phone":"+16502530000"}"#) }?.message.contains("at most 255") == true)
        #expect(error { try fixture.add(#"{"name":"Ann"}"#) }?.code == .invalidPhone)
        for bad in ["ann", "ann@", "@x.com", "ann@x", "a b@x.com", "ann@x..com", "ann@@x.com"] {
            #expect(error { try fixture.add(#"{"name":"Ann","phone":"+16502530000","email":"\#(bad)"}"#) }?.code == .invalidField, "\(bad)")
        }
        #expect(error { try fixture.add(#"{"name":"Ann","phone":"+16502530000","nickname":"A"}"#) }?.message.contains("unknown contact member 'nickname'") == true)
        #expect(error { try fixture.add(#"["Ann"]"#) }?.code == .badRequest)
        #expect(fixture.state.contacts.isEmpty)
    }

    @Test func storesTrimmedValuesAndLowerCaseDomain() throws {
        var fixture = Fixture()
        let contact = try fixture.add(#"{"name":"  José García ","phone":"+16502530000","email":"Jose.Garcia@Example.COM","company":" Acme ","notes":""}"#)
        #expect(contact.name == "José García")
        #expect(contact.email == "Jose.Garcia@example.com")
        #expect(contact.company == "Acme")
        #expect(contact.notes == nil)
        #expect(contact.createdByUserID == fixture.admin.userID)
    }

    @Test func updateChangesOnlyGivenMembers() throws {
        var fixture = Fixture()
        let original = try fixture.add(#"{"name":"Ann","phone":"+16502530000","email":"a@x.com","company":"Acme","tags":["VIP"]}"#)
        let updated = try fixture.update(original.id, #"{"company":null,"tags":["DNC"]}"#)
        #expect(updated.name == "Ann")
        #expect(updated.email == "a@x.com")
        #expect(updated.company == nil)
        #expect(updated.tags == ["DNC"])
        #expect(updated.updatedAt > original.updatedAt)
        #expect(updated.createdAt == original.createdAt)
        #expect(error { try fixture.update(original.id, #"{"phone":null}"#) }?.code == .invalidPhone)
        #expect(error { try fixture.update(original.id, #"{}"#) }?.code == .badRequest)
        #expect(error { try fixture.update(999, #"{"name":"X"}"#) }?.code == .notFound)
        #expect(fixture.state._checkInvariants().isEmpty)
    }

    @Test func phoneChangeMovesTheIndex() throws {
        var fixture = Fixture()
        let ann = try fixture.add(#"{"name":"Ann","phone":"+16502530000"}"#)
        try fixture.update(ann.id, #"{"phone":"650-253-0001"}"#)
        #expect(fixture.state.phoneIndex["+16502530000"] == nil)
        #expect(fixture.state.phoneIndex["+16502530001"] == ann.id)
        _ = try fixture.add(#"{"name":"Bo","phone":"+16502530000"}"#)
        #expect(error { try fixture.update(ann.id, #"{"phone":"+16502530000"}"#) }?.code == .duplicatePhone)
    }

    @Test func softDeleteRestoreAndPermanentDelete() throws {
        var fixture = Fixture()
        let ann = try fixture.add(#"{"name":"Ann","phone":"+16502530000"}"#)
        fixture.state.apply(try fixture.state.planDelete(ann.id, permanent: false, by: fixture.admin, context: fixture.context))
        #expect(fixture.state.contacts[ann.id]?.archivedAt != nil)
        #expect(error { try fixture.state.planDelete(ann.id, permanent: false, by: fixture.admin, context: fixture.context) }?.code == .conflict)
        fixture.state.apply(.putContact(try fixture.state.planRestore(ann.id, by: fixture.admin, context: fixture.context)))
        #expect(fixture.state.contacts[ann.id]?.archivedAt == nil)
        fixture.state.apply(try fixture.state.planDelete(ann.id, permanent: true, by: fixture.admin, context: fixture.context))
        #expect(fixture.state.contacts[ann.id] == nil)
        // Ids are never reused.
        #expect(try fixture.add(#"{"name":"Bo","phone":"+16502530000"}"#).id == ann.id + 1)
        #expect(fixture.state._checkInvariants().isEmpty)
    }

    @Test func logCallKeepsTheLatest() throws {
        var fixture = Fixture()
        let ann = try fixture.add(#"{"name":"Ann","phone":"+16502530000"}"#)
        var contact = try fixture.state.planLogCall(ann.id, outcome: "No-Answer", at: 2_000, by: fixture.admin, context: fixture.context)
        fixture.state.apply(.putContact(contact))
        contact = try fixture.state.planLogCall(ann.id, outcome: "completed", at: 1_000, by: fixture.admin, context: fixture.context)
        #expect(contact.lastCalledAt == 2_000)
        #expect(contact.lastCallOutcome == "no-answer")
        #expect(contact.totalCalls == 2)
    }

    @Test func undoListRestoresTheState() throws {
        var fixture = Fixture()
        let ann = try fixture.add(#"{"name":"Ann","phone":"+16502530000","tags":["VIP"]}"#)
        let before = fixture.state.contacts
        let changes: [Change] = [
            .putContact(try fixture.state.planUpdate(ann.id, try JSONValue.parse(#"{"phone":"+16502530001","tags":["DNC"]}"#), by: fixture.admin, context: fixture.context)),
            .putContact(try fixture.state.planAdd(try JSONValue.parse(#"{"name":"Bo","phone":"+16502530002"}"#), by: fixture.admin, context: fixture.context)),
        ]
        let undo = fixture.state.apply(changes)
        #expect(fixture.state.contacts.count == 2)
        fixture.state.apply(undo)
        #expect(fixture.state.contacts == before)
        #expect(fixture.state._checkInvariants().isEmpty)
    }
}

/// A change set with a long run of new contacts is indexed in bulk; it must equal one by one.
@Suite struct BulkApplyTests {
    @Test func bulkRunEqualsOneByOne() throws {
        var fixture = Fixture()
        try fixture.add(#"{"name":"Existing","phone":"+16502539999","tags":["vip"]}"#)
        var contacts: [Contact] = []
        for index in 0..<300 {
            var contact = try fixture.state.planAdd(try JSONValue.parse(#"{"name":"Zoë Person \#(index)","phone":"+1650253\#(String(1000 + index))","company":"Acme \#(index % 7)","tags":["VIP","T\#(index % 5)"]}"#), by: fixture.admin, context: fixture.context)
            contact.id = 2 + ContactID(index)
            contacts.append(contact)
        }
        // An update of an existing contact in the middle, and a repeat of a new id, break the run.
        var changes = contacts.prefix(150).map { Change.putContact($0) }
        changes.append(.putContact(try fixture.state.planUpdate(1, try JSONValue.parse(#"{"name":"Existing Again"}"#), by: fixture.admin, context: fixture.context)))
        changes += contacts.dropFirst(150).map { Change.putContact($0) }
        changes.append(.putContact(contacts[0]))

        var bulk = fixture.state
        let undo = bulk.apply(changes)
        var single = fixture.state
        for change in changes { single.apply(change) }
        #expect(bulk.contacts == single.contacts)
        #expect(bulk.phoneIndex == single.phoneIndex)
        #expect(bulk.tagIndex == single.tagIndex)
        #expect(bulk.tagDisplay == single.tagDisplay)
        #expect(bulk._checkInvariants().isEmpty)
        for query in ["zoe person 1", "acme 3", "2531"] {
            #expect(bulk.search(query, limit: 500, for: fixture.admin).map(\.id) == single.search(query, limit: 500, for: fixture.admin).map(\.id), "\(query)")
        }
        bulk.apply(undo)
        #expect(bulk.contacts == fixture.state.contacts)
        #expect(bulk._checkInvariants().isEmpty)
    }
}
