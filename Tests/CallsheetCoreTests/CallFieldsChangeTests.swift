import CallsheetCore
import Testing

/// `CONTACT.LOGCALL` journaled as the call fields alone (change tag 12, change set version 2):
/// under 64 bytes, round-trips, undoes, and leaves version-1 records readable as before.
@Suite struct CallFieldsChangeTests {
    static func loggedCall(_ fixture: inout Fixture) throws -> (Contact, Change) {
        let ann = try fixture.add(#"{"name":"Ann Lee","phone":"+16502530000","email":"ann@example.com","company":"Acme","tags":["VIP","Q4"],"notes":"prefers mornings"}"#)
        let called = try fixture.state.planLogCall(ann.id, outcome: "No-Answer", at: nil, by: fixture.admin, context: fixture.context)
        return (called, .setCallFields(CallFields(of: called)))
    }

    @Test func aLoggedCallRecordIsUnder64BytesAndRoundTrips() throws {
        var fixture = Fixture()
        let (called, change) = try Self.loggedCall(&fixture)
        // Realistic sizes: a millionth contact, a present-day time, a large organization id.
        var large = CallFields(of: called)
        large.contactID = 1_000_000
        large.lastCallOutcome = "left-voicemail"
        large.totalCalls = 12_345
        for set in [ChangeSet(organizationID: 7, changes: [change]), ChangeSet(organizationID: 123_456, changes: [.setCallFields(large)])] {
            let bytes = RecordCodec.encode(set)
            #expect(bytes.count < 64, "\(bytes.count) bytes")
            #expect(bytes.first == RecordCodec.fieldChangeSetVersion)
            #expect(try RecordCodec.decodeChangeSet(bytes) == set)
        }
        let whole = RecordCodec.encode(ChangeSet(organizationID: 7, changes: [.putContact(called)]))
        #expect(whole.first == RecordCodec.changeSetVersion, "sets without a tag-12 change stay version 1")
    }

    @Test func applyingSetsOnlyTheCallFieldsAndItsUndoRestores() throws {
        var fixture = Fixture()
        let (called, change) = try Self.loggedCall(&fixture)
        let before = fixture.state.contacts
        let undo = fixture.state.apply([change])
        #expect(fixture.state.contacts[called.id] == called, "equal to the whole planned contact")
        #expect(fixture.state._checkInvariants().isEmpty)
        fixture.state.apply(undo)
        #expect(fixture.state.contacts == before)
        #expect(fixture.state._checkInvariants().isEmpty)
        // A contact removed meanwhile: nothing happens, and nothing to undo.
        fixture.state.apply(.removeContact(called.id))
        let after = fixture.state.contacts
        fixture.state.apply(fixture.state.apply(change))
        #expect(fixture.state.contacts == after)
    }

    @Test func damagedOrMislabelledRecordsAreErrors() throws {
        var fixture = Fixture()
        let (_, change) = try Self.loggedCall(&fixture)
        let bytes = RecordCodec.encode(ChangeSet(organizationID: 7, changes: [change]))
        for cut in 0..<bytes.count {
            #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(Array(bytes[0..<cut])) }
        }
        var versionOne = bytes
        versionOne[0] = RecordCodec.changeSetVersion
        #expect(throws: CallsheetError.self, "tag 12 in a version-1 set") { try RecordCodec.decodeChangeSet(versionOne) }
        var newer = bytes
        newer[0] = RecordCodec.coldChangeSetVersion + 1
        let error = #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(newer) }
        #expect(error?.message.contains("newer release") == true)
    }

    /// A version-1 record as this format has always written it (a put contact), byte for byte,
    /// decodes to the same change and re-encodes to the same bytes.
    @Test func versionOneRecordsStillDecode() throws {
        let contact = Contact(id: 3, organizationID: 7, departmentID: 1, createdByUserID: 1, name: "Bo", phone: "+15551230000",
                              lastCalledAt: 5, lastCallOutcome: "busy", totalCalls: 2, createdAt: 1, updatedAt: 5)
        let set = ChangeSet(organizationID: 7, changes: [.putContact(contact), .removeContact(4)])
        let recorded: [UInt8] = [
            1, 7, 2,
            8, 3, 7, 1, 1, 2, 66, 111, 12, 43, 49, 53, 53, 53, 49, 50, 51, 48, 48, 48, 48, 0, 0, 0, 0, 0,
            1, 10, 1, 4, 98, 117, 115, 121, 2, 2, 10, 0,
            9, 4,
        ]
        #expect(try RecordCodec.decodeChangeSet(recorded) == set)
        #expect(RecordCodec.encode(set) == recorded)
    }
}
