import CallsheetCore
import TestSupport
import Testing

/// Candidates of one contact and scans of an organization, through the indexes, in scope;
/// duplicate settings, ignored pairs and undo entries through the journal's and snapshot's codecs.
@Suite struct DuplicateScanTests {
    static func people() throws -> Fixture {
        var fixture = Fixture()
        for json in [
            #"{"name":"John Doe","phone":"+16502530001","email":"john.doe@gmail.com","company":"Acme Inc","department_id":2}"#,
            #"{"name":"Jon Doe","phone":"+16502530002","company":"ACME","department_id":2}"#,
            #"{"name":"Doe, J.","phone":"+16502530003","email":"johndoe+crm@gmail.com","department_id":2}"#,
            #"{"name":"Robert Smith","phone":"+16502530004","email":"rsmith@globex.com","department_id":3}"#,
            #"{"name":"Bob Smith","phone":"+16502530005","email":"RSmith@Globex.com","department_id":3}"#,
            #"{"name":"Mary Major","phone":"+16502530006","email":"mary@major.org","department_id":2}"#,
            #"{"name":"John Doe","phone":"+16502530007","email":"jd@elsewhere.com","company":"Initech","department_id":3}"#,
            #"{"name":"Ann Other","phone":"+442079460000","department_id":2}"#,
            #"{"name":"Anne Other","phone":"+12079460000","department_id":2}"#,
        ] { try fixture.add(json) }
        return fixture
    }

    @Test("DUP.CHECK finds the seed's Jon Doe for John Doe, says why, and only in the caller's scope")
    func check() throws {
        let fixture = try Self.people()
        let profile = try fixture.state.duplicateProfile(of: try JSONValue.parse(#"{"name":"John Doe"}"#), context: fixture.context)
        let admin = fixture.state.duplicateCandidates(of: profile, for: fixture.admin)
        #expect(admin.map(\.id).sorted() == [1, 2, 3, 7])
        #expect(admin.first { $0.id == 2 }?.evidence.first?.detail == "levenshtein 1")
        let sales = fixture.state.duplicateCandidates(of: profile, for: fixture.salesManager)
        #expect(sales.map(\.id).sorted() == [1, 2, 3], "contact 7 is Support's")
        let email = try fixture.state.duplicateProfile(of: try JSONValue.parse(#"{"email":"John.Doe+x@googlemail.com"}"#), context: fixture.context)
        #expect(fixture.state.duplicateCandidates(of: email, for: fixture.admin).map(\.id).sorted() == [1, 3])
        let phone = try fixture.state.duplicateProfile(of: try JSONValue.parse(#"{"phone":"(650) 253-0004"}"#), context: fixture.context)
        #expect(fixture.state.duplicateCandidates(of: phone, for: fixture.admin).map(\.id) == [4])
        #expect(error { try fixture.state.duplicateProfile(of: try JSONValue.parse(#"{"company":"Acme"}"#), context: fixture.context) }?.code == .badRequest)
        #expect(error { try fixture.state.duplicateProfile(of: try JSONValue.parse(#"{"phone":"12"}"#), context: fixture.context) }?.code == .invalidPhone)
    }

    @Test("A scan groups the Does, the Smiths and the two country codes; a manager's scan sees their department; ignored pairs never link")
    func scan() throws {
        var fixture = try Self.people()
        let result = fixture.state.scanDuplicates(for: fixture.admin)
        let groups = result.groups.map(\.members)
        #expect(groups.contains([1, 2, 3]))
        #expect(groups.contains([4, 5]))
        #expect(groups.contains([8, 9]))
        #expect(!groups.joined().contains(6) && !groups.joined().contains(7), "\(groups)")
        let smiths = try #require(result.groups.first { $0.members == [4, 5] })
        #expect(smiths.rules.contains("email"))
        #expect(fixture.state.scanDuplicates(for: fixture.salesManager).groups.map(\.members).sorted { $0[0] < $1[0] } == [[1, 2, 3], [8, 9]])
        fixture.state.apply(.setIgnoredPair(ContactPair(5, 4), ignored: true))
        #expect(!fixture.state.scanDuplicates(for: fixture.admin).groups.map(\.members).contains([4, 5]))
        // Archived contacts are not scanned.
        fixture.state.apply(.patchContact(ContactPatch(contactID: 9, updatedAt: 1, fields: [.archivedAt(1)])))
        #expect(!fixture.state.scanDuplicates(for: fixture.admin).groups.map(\.members).contains([8, 9]))
    }

    @Test("Settings, ignored pairs and undo entries survive the journal's and the snapshot's codecs")
    func codecs() throws {
        var fixture = try Self.people()
        var settings = DuplicateSettings()
        settings.threshold = 91
        settings.rules.remove(.nationalPhone)
        settings.action = .block
        settings.conflictRule = .oldest
        settings.autoMerge = true
        let plan = try fixture.state.planMerge(primary: 1, others: [2, 3], keep: [("phone", 3)], rule: "auto: name", score: 93, by: fixture.admin, context: fixture.context)
        let changes: [Change] = [.putDuplicateSettings(settings), .setIgnoredPair(ContactPair(4, 5), ignored: true)] + plan.changes
        let payload = RecordCodec.encode(ChangeSet(organizationID: 7, changes: changes))
        #expect(payload.first == RecordCodec.undoChangeSetVersion)
        #expect(try RecordCodec.decodeChangeSet(payload).changes == changes)
        fixture.state.apply(changes)
        var writer = BinaryWriter()
        fixture.state.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        let loaded = try OrganizationState.decode(&reader)
        #expect(loaded.duplicateSettings == settings)
        #expect(loaded.ignoredPairs == [ContactPair(4, 5)])
        #expect(loaded.undoEntries == fixture.state.undoEntries)
        #expect(loaded.undoEntries[plan.entry.id]?.steps.count == 3)
        #expect(loaded.nextUndoID == plan.entry.id + 1)
        #expect(loaded.contacts[2]?.mergedInto == 1)
        #expect(loaded._checkInvariants() == [])
        // A set without the new changes is still written as version 1 or 2 (older releases read it).
        #expect(RecordCodec.encode(ChangeSet(organizationID: 7, changes: [.removeContact(1)])).first == 1)
        // A version-2 set carrying a version-3 change is refused.
        var forged = RecordCodec.encode(ChangeSet(organizationID: 7, changes: [.removeUndo(4)]))
        forged[0] = 2
        #expect(error { try RecordCodec.decodeChangeSet(forged) }?.code == .internal)
    }
}
