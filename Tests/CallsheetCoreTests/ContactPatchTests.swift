import CallsheetCore
import TestSupport
import Testing

/// Updates journaled as the fields they change (change tag 13, `ContactPatch`): the patch turns
/// the old contact into the new one and its undo back, applying it equals applying the whole
/// contact (indexes included), its record is a few dozen bytes, and damaged records are errors.
@Suite struct ContactPatchTests {
    static let json = #"{"name":"Ann Lee","phone":"+16502530000","email":"ann@example.com","company":"Acme","tags":["VIP","Q4"],"notes":"prefers mornings"}"#

    /// A random variation of `contact`: each field changed or not.
    static func vary(_ contact: Contact, _ random: inout SplitMix64, step: Int) -> Contact {
        var new = contact
        func flip() -> Bool { random.next() % 3 == 0 }
        if flip() { new.departmentID = contact.departmentID == 2 ? 3 : 2 }
        if flip() { new.name = "Name \(step)" }
        if flip() { new.phone = "+1650253\(String(format: "%04d", step % 10_000))" }
        if flip() { new.phoneExtension = new.phoneExtension == nil ? "12" : nil }
        if flip() { new.email = new.email == nil ? "x\(step)@example.com" : nil }
        if flip() { new.company = new.company == nil ? "Globex" : nil }
        if flip() { new.tags = new.tags.contains("VIP") ? ["Q4"] : ["VIP", "New"] }
        if flip() { new.notes = new.notes == nil ? "call back \(step)" : nil }
        if flip() { new.customFields["score"] = new.customFields["score"] == nil ? .integer(Int64(step)) : nil }
        if flip() { new.lastCalledAt = Int64(step); new.lastCallOutcome = "completed"; new.totalCalls += 1 }
        if flip() { new.archivedAt = new.archivedAt == nil ? Int64(step) : nil }
        new.updatedAt = contact.updatedAt + 1
        return new
    }

    @Test func aPatchTurnsOldIntoNewAndItsUndoBack() throws {
        var fixture = Fixture()
        var contact = try fixture.add(Self.json)
        var random = SplitMix64(seed: 5)
        for step in 0..<500 {
            let new = Self.vary(contact, &random, step: step)
            let patch = try #require(ContactPatch(from: contact, to: new))
            #expect(contact.applying(patch) == new)
            #expect(new.applying(patch.undo(on: contact)) == contact)
            contact = new
        }
        var other = contact
        other.createdAt += 1
        #expect(ContactPatch(from: contact, to: other) == nil, "a patch never changes what a contact was created with")
    }

    /// The shard's path: a put of an existing contact becomes a patch; applying it leaves the
    /// state (indexes included) as the put would, and the undo list restores it.
    @Test func patchedStateEqualsPutStateAndUndoes() throws {
        var patched = Fixture()
        var put = Fixture()
        var contact = try patched.add(Self.json)
        _ = try put.add(Self.json)
        var random = SplitMix64(seed: 6)
        for step in 0..<300 {
            let new = Self.vary(contact, &random, step: step)
            let changes = Change.patches([.putContact(new)], against: patched.state)
            guard case .patchContact = changes.first else { Issue.record("not a patch: \(changes)"); return }
            let before = patched.state
            let undo = patched.state.apply(changes)
            put.state.apply(.putContact(new))
            #expect(patched.state.contacts == put.state.contacts)
            #expect(patched.state.phoneIndex == put.state.phoneIndex)
            #expect(patched.state.tagIndex == put.state.tagIndex && patched.state.departmentIndex == put.state.departmentIndex)
            if step % 50 == 0 {
                #expect(patched.state._checkInvariants() == [])
                var undone = patched.state
                undone.apply(undo)
                #expect(undone.contacts == before.contacts && undone.phoneIndex == before.phoneIndex)
                #expect(undone._checkInvariants() == [])
            }
            contact = new
        }
    }

    @Test func onlyPutsOfExistingContactsTouchedOnceBecomePatches() throws {
        var fixture = Fixture()
        let ann = try fixture.add(Self.json)
        var renamed = ann
        renamed.name = "Ann Smith"
        var fresh = ann
        fresh.id = 99
        fresh.phone = "+16502530099"
        #expect(Change.patches([.putContact(fresh)], against: fixture.state) == [.putContact(fresh)], "a creation stays a put")
        let twice: [Change] = [.putContact(renamed), .setCallFields(CallFields(of: renamed))]
        #expect(Change.patches(twice, against: fixture.state) == twice, "two changes of one contact stay as planned")
        #expect(Change.patches([.putContact(renamed)], against: fixture.state)
            == [.patchContact(ContactPatch(contactID: ann.id, updatedAt: ann.updatedAt, fields: [.name("Ann Smith")]))])
    }

    @Test func aPatchRecordIsSmallRoundTripsAndRefusesDamage() throws {
        var fixture = Fixture()
        let ann = try fixture.add(Self.json)
        var new = ann
        new.id = 1_000_000
        new.notes = "called back, round 12345"
        var old = ann
        old.id = 1_000_000
        let patch = try #require(ContactPatch(from: old, to: new))
        let set = ChangeSet(organizationID: 123_456, changes: [.patchContact(patch)])
        let bytes = RecordCodec.encode(set)
        #expect(bytes.count < 64, "\(bytes.count) bytes")
        #expect(bytes.count * 2 < RecordCodec.encode(ChangeSet(organizationID: 123_456, changes: [.putContact(new)])).count)
        #expect(bytes.first == RecordCodec.fieldChangeSetVersion)
        #expect(try RecordCodec.decodeChangeSet(bytes) == set)
        var every = ann
        every.departmentID = 9; every.name = "B"; every.phone = "+16502530001"; every.phoneExtension = "7"; every.email = nil
        every.company = nil; every.tags = []; every.notes = nil; every.customFields = ["when": .date("2026-01-02"), "ok": .checkbox(true)]
        every.lastCalledAt = 5; every.lastCallOutcome = "busy"; every.totalCalls = 3; every.archivedAt = 6
        let all = ChangeSet(organizationID: 1, changes: [.patchContact(try #require(ContactPatch(from: ann, to: every)))])
        #expect(try RecordCodec.decodeChangeSet(RecordCodec.encode(all)) == all, "every field kind round-trips")
        for cut in 0..<bytes.count {
            #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(Array(bytes[0..<cut])) }
        }
        var versionOne = bytes
        versionOne[0] = RecordCodec.changeSetVersion
        #expect(throws: CallsheetError.self, "tag 13 in a version-1 set") { try RecordCodec.decodeChangeSet(versionOne) }
    }
}
