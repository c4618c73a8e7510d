import CallsheetCore
import Testing

@Suite struct CodecTests {
    @Test func changeSetsRoundTrip() throws {
        var fixture = Fixture()
        try fixture.createField(#"{"name":"industry","type":"dropdown","options":["A","B"],"visible_to":["manager"]}"#)
        try fixture.createField(#"{"name":"value","type":"decimal"}"#)
        let contact = try fixture.add(#"{"name":"Zoë Øberg","phone":"+16502530000","email":"z@x.com","tags":["VIP","Q4"],"notes":"a,\"b\"\nc","custom_fields":{"industry":"A","value":1.25}}"#)
        let user = User(id: 9, name: "bob", role: .agent, departmentID: 2, secret: .make(secret: "s"), createdAt: -5)
        let set = ChangeSet(organizationID: 7, changes: [
            .putOrganization(fixture.state.organization), .putDepartment(Department(id: 4, name: "Ops")), .removeDepartment(4),
            .putUser(user), .removeUser(9), .putField(fixture.state.fields["industry"]!), .removeField("value"),
            .putContact(contact), .removeContact(contact.id),
        ])
        #expect(try RecordCodec.decodeChangeSet(RecordCodec.encode(set)) == set)
    }

    @Test func damagedPayloadsAreErrorsNotCrashes() throws {
        var fixture = Fixture()
        let contact = try fixture.add(#"{"name":"Ann","phone":"+16502530000","tags":["VIP"]}"#)
        let bytes = RecordCodec.encode(ChangeSet(organizationID: 7, changes: [.putContact(contact)]))
        for cut in 0..<bytes.count {
            #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(Array(bytes[0..<cut])) }
        }
        var flipped = bytes
        flipped[0] = 99
        #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(flipped) }
    }

    @Test func stateRoundTripsWithIndexes() throws {
        var fixture = Fixture()
        try fixture.createField(#"{"name":"due","type":"date"}"#)
        for index in 0..<50 {
            try fixture.add(#"{"name":"Person \#(index)","phone":"+1650253\#(String(format: "%04d", index))","tags":["T\#(index % 3)"],"custom_fields":{"due":"2026-01-0\#(1 + index % 9)"}}"#)
        }
        fixture.state.apply(.removeContact(10))
        var writer = BinaryWriter()
        fixture.state.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        let decoded = try OrganizationState.decode(&reader)
        #expect(decoded.contacts == fixture.state.contacts)
        #expect(decoded.fields == fixture.state.fields)
        #expect(decoded.departments == fixture.state.departments)
        #expect(decoded.nextContactID == fixture.state.nextContactID)
        #expect(decoded.phoneIndex == fixture.state.phoneIndex)
        #expect(decoded._checkInvariants().isEmpty)
    }
}

import Foundation
