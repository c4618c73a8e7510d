import CallsheetCore
import TestSupport
import Testing

/// Merges and undo on an organization's state: every conflict rule, KEEP, scope, unmerge round
/// trips (a property over random contacts), undo of bulk and tag commands with conflicts.
@Suite struct MergeUndoTests {
    /// Plans and applies a change set as the shard would, checking the indexes after it.
    static func apply(_ changes: [Change], to fixture: inout Fixture) {
        fixture.state.apply(Change.patches(changes, against: fixture.state))
        fixture.context.now += 1000
        #expect(fixture.state._checkInvariants() == [])
    }

    static func merge(_ fixture: inout Fixture, _ primary: ContactID, _ others: [ContactID], keep: [(String, ContactID)] = [], by caller: Caller? = nil) throws -> (Contact, UndoEntry) {
        let plan = try fixture.state.planMerge(primary: primary, others: others, keep: keep, by: caller ?? fixture.admin, context: fixture.context)
        apply(plan.changes, to: &fixture)
        return (plan.survivor, plan.entry)
    }

    static func undo(_ fixture: inout Fixture, _ id: UInt64, kind: UndoEntry.Kind? = nil, force: Bool = false, by caller: Caller? = nil) throws -> OrganizationState.UndoReport {
        let report = try fixture.state.planUndo(id, kind: kind, force: force, by: caller ?? fixture.admin, context: fixture.context)
        apply(report.changes, to: &fixture)
        return report
    }

    /// Contacts compared without the update time an undo sets.
    static func same(_ a: Contact?, _ b: Contact?) -> Bool {
        guard var a, var b else { return a == nil && b == nil }
        a.updatedAt = 0
        b.updatedAt = 0
        return a == b
    }

    @Test("Merging two: tags and notes from both, calls added, the strictest tag kept, the other archived with merged_into; its phone finds the survivor")
    func mergeTwo() throws {
        var fixture = Fixture()
        let a = try fixture.add(#"{"name":"John Doe","phone":"+16502530001","tags":["VIP"],"notes":"likes mornings","company":"Acme"}"#)
        let b = try fixture.add(#"{"name":"Jon Doe","phone":"+16502530002","email":"jon@example.com","tags":["DNC","vip"],"notes":"call after 5"}"#)
        Self.apply([.setCallFields(CallFields(contactID: b.id, lastCalledAt: 5_000, lastCallOutcome: "voicemail", totalCalls: 3, updatedAt: 5_000))], to: &fixture)
        Self.apply([.setCallFields(CallFields(contactID: a.id, lastCalledAt: 4_000, lastCallOutcome: "completed", totalCalls: 2, updatedAt: 4_000))], to: &fixture)
        let (survivor, entry) = try Self.merge(&fixture, a.id, [b.id])
        #expect(survivor.name == "John Doe" && survivor.phone == "+16502530001")
        #expect(survivor.email == "jon@example.com", "the primary had none: non_empty fills it")
        #expect(survivor.tags == ["VIP", "DNC"])
        #expect(survivor.notes == "likes mornings\n\n[merged from contact \(b.id), Jon Doe] call after 5")
        #expect(survivor.totalCalls == 5 && survivor.lastCalledAt == 5_000 && survivor.lastCallOutcome == "voicemail")
        let gone = try #require(fixture.state.contacts[b.id])
        #expect(gone.mergedInto == a.id && gone.archivedAt != nil)
        #expect(fixture.state.survivor(of: b.id) == a.id)
        #expect(entry.merge?.winners.map(\.0) == ["email"])
        // A merged contact cannot be merged again or restored; the survivor can be merged on.
        #expect(error { try fixture.state.planMerge(primary: a.id, others: [b.id], keep: [], by: fixture.admin, context: fixture.context) }?.code == .conflict)
        #expect(error { try fixture.state.planRestore(b.id, by: fixture.admin, context: fixture.context) }?.code == .conflict)
    }

    @Test("Merging five under each conflict rule, and KEEP overriding it")
    func mergeFiveRules() throws {
        for rule in DuplicateSettings.ConflictRule.allCases {
            var fixture = Fixture()
            try fixture.createField(#"{"name":"industry","type":"text"}"#)
            var ids: [ContactID] = []
            // Created in order 1…5; updated in order 5…1 below, so newest and oldest differ.
            for n in 1...5 {
                let email = n == 1 ? "" : #","email":"p\#(n)@example.com""#
                let company = n == 1 ? "" : #","company":"Co \#(n)""#
                ids.append(try fixture.add(#"{"name":"Pat \#(n)","phone":"+1650253000\#(n)"\#(email)\#(company),"custom_fields":{"industry":"I\#(n)"}}"#).id)
            }
            for id in ids.reversed() { try fixture.update(id, #"{"notes":"n\#(id)"}"#) }
            var settings = fixture.state.duplicateSettings
            settings.conflictRule = rule
            Self.apply([.putDuplicateSettings(settings)], to: &fixture)
            let primary = ids[2]
            let others = ids.filter { $0 != primary }
            let (survivor, _) = try Self.merge(&fixture, primary, others)
            let expected: (email: String?, industry: String) = switch rule {
            case .primary, .nonEmpty: ("p3@example.com", "I3")
            case .newest: ("p2@example.com", "I1")      // ids[0] updated last, but has no email
            case .oldest: ("p2@example.com", "I1")      // ids[0] created first, but has no email
            }
            #expect(survivor.email == expected.email, "\(rule)")
            #expect(survivor.customFields["industry"] == .text(expected.industry), "\(rule)")
            #expect(survivor.notes?.components(separatedBy: "[merged from").count == 5, "every note kept")
            for id in others { #expect(fixture.state.contacts[id]?.mergedInto == primary) }
        }
        var fixture = Fixture()
        let a = try fixture.add(#"{"name":"Ann Lee","phone":"+16502530001","email":"ann@a.com"}"#)
        let b = try fixture.add(#"{"name":"Anne Lee","phone":"+16502530002","email":"anne@b.com"}"#)
        let (survivor, entry) = try Self.merge(&fixture, a.id, [b.id], keep: [("name", b.id), ("email", b.id), ("phone", b.id)])
        #expect(survivor.name == "Anne Lee" && survivor.email == "anne@b.com" && survivor.phone == "+16502530002")
        // The numbers changed hands: both lead to the survivor.
        #expect(fixture.state.contacts[b.id]?.phone == "+16502530001")
        #expect(fixture.state.phoneIndex["+16502530002"] == a.id && fixture.state.phoneIndex["+16502530001"] == b.id)
        #expect(Set(entry.merge?.winners.map(\.0) ?? []) == ["name", "email", "phone"])
        #expect(error { try fixture.state.planMerge(primary: a.id, others: [a.id], keep: [], by: fixture.admin, context: fixture.context) }?.code == .badRequest)
        let c = try fixture.add(#"{"name":"C","phone":"+16502530003"}"#)
        let d = try fixture.add(#"{"name":"D","phone":"+16502530004"}"#)
        #expect(error { try fixture.state.planMerge(primary: c.id, others: [d.id], keep: [("colour", d.id)], by: fixture.admin, context: fixture.context) }?.code == .badRequest)
        #expect(error { try fixture.state.planMerge(primary: c.id, others: [d.id], keep: [("name", a.id)], by: fixture.admin, context: fixture.context) }?.code == .badRequest)
    }

    @Test("Scope: a manager merges and undoes only in their department; an agent does none of it")
    func scope() throws {
        var fixture = Fixture()
        let sales1 = try fixture.add(#"{"name":"S1","phone":"+16502530001","department_id":2}"#)
        let sales2 = try fixture.add(#"{"name":"S2","phone":"+16502530002","department_id":2}"#)
        let support = try fixture.add(#"{"name":"T1","phone":"+16502530003","department_id":3}"#)
        #expect(error { try fixture.state.planMerge(primary: sales1.id, others: [support.id], keep: [], by: fixture.salesManager, context: fixture.context) }?.code == .notFound)
        #expect(error { try fixture.state.planMerge(primary: sales1.id, others: [sales2.id], keep: [], by: fixture.salesAgent, context: fixture.context) }?.code == .forbidden)
        let (_, entry) = try Self.merge(&fixture, sales1.id, [sales2.id], by: fixture.salesManager)
        #expect(error { try fixture.state.planUndo(entry.id, by: fixture.supportManager, context: fixture.context) }?.code == .forbidden)
        #expect(error { try fixture.state.planUndo(entry.id, by: fixture.salesAgent, context: fixture.context) }?.code == .forbidden)
        #expect(fixture.state.visibleUndoEntries(for: fixture.supportManager).isEmpty)
        #expect(fixture.state.visibleUndoEntries(for: fixture.salesManager).map(\.id) == [entry.id])
        // An admin's merge across departments is the admin's to undo.
        let sales3 = try fixture.add(#"{"name":"S3","phone":"+16502530004","department_id":2}"#)
        let (_, cross) = try Self.merge(&fixture, sales3.id, [support.id])
        #expect(error { try fixture.state.planUndo(cross.id, by: fixture.salesManager, context: fixture.context) }?.code == .forbidden)
        _ = try Self.undo(&fixture, cross.id)
        _ = try Self.undo(&fixture, entry.id, by: fixture.salesManager)
        #expect(error { try fixture.state.planUndo(entry.id, by: fixture.salesManager, context: fixture.context) }?.code == .conflict, "undone once")
    }

    @Test("Unmerge keeps the survivor's later changes that do not conflict and reports those that do")
    func unmergeConflicts() throws {
        var fixture = Fixture()
        let a = try fixture.add(#"{"name":"Ann","phone":"+16502530001","tags":["A"]}"#)
        let b = try fixture.add(#"{"name":"Anne","phone":"+16502530002","tags":["B"],"email":"anne@x.com"}"#)
        let (_, entry) = try Self.merge(&fixture, a.id, [b.id])
        try fixture.update(a.id, #"{"company":"Globex","tags":["A","B","New"]}"#)
        let report = try Self.undo(&fixture, entry.id, kind: .merge)
        let survivor = try #require(fixture.state.contacts[a.id])
        #expect(survivor.company == "Globex", "a later change merge never wrote is kept")
        #expect(survivor.tags == ["A", "B", "New"], "tags changed since the merge: kept")
        #expect(survivor.email == nil, "the merge's email goes back")
        #expect(report.conflicts.map(\.field) == ["tags"])
        #expect(Self.same(fixture.state.contacts[b.id], b))
        #expect(fixture.state.survivor(of: b.id) == b.id)
        #expect(fixture.state.undoEntries[entry.id]?.undoneAt != nil)
        #expect(error { try fixture.state.planUndo(entry.id, kind: .bulkEdit, by: fixture.admin, context: fixture.context) }?.code == .notFound)
    }

    @Test("Merge then unmerge gives back the contacts as they were: seeded random contacts and merges")
    func mergeUnmergeRoundTrip() throws {
        var random = SplitMix64(seed: 13)
        for round in 0..<40 {
            var fixture = Fixture()
            try fixture.createField(#"{"name":"tier","type":"dropdown","options":["Gold","Silver"]}"#)
            var ids: [ContactID] = []
            let count = 2 + Int(random.next() % 5)
            for n in 0..<count {
                var members = [#""name":"P\#(round)-\#(n)""#, #""phone":"+1650253\#(1000 + n)""#]
                if random.next() % 2 == 0 { members.append(#""email":"p\#(n)@e\#(random.next() % 3).com""#) }
                if random.next() % 2 == 0 { members.append(#""company":"C\#(random.next() % 3)""#) }
                if random.next() % 2 == 0 { members.append(#""notes":"note \#(n)""#) }
                if random.next() % 2 == 0 { members.append(#""tags":["T\#(random.next() % 4)","U\#(random.next() % 4)"]"#) }
                if random.next() % 2 == 0 { members.append(#""custom_fields":{"tier":"\#(random.next() % 2 == 0 ? "Gold" : "Silver")"}"#) }
                ids.append(try fixture.add("{" + members.joined(separator: ",") + "}").id)
            }
            var settings = fixture.state.duplicateSettings
            settings.conflictRule = DuplicateSettings.ConflictRule.allCases[Int(random.next() % 4)]
            Self.apply([.putDuplicateSettings(settings)], to: &fixture)
            let before = ids.map { fixture.state.contacts[$0] }
            ids.shuffle(using: &random)
            var keep: [(String, ContactID)] = []
            if random.next() % 2 == 0 { keep.append(("phone", ids[1])) }
            if random.next() % 2 == 0 { keep.append(("name", ids.last!)) }
            let (_, entry) = try Self.merge(&fixture, ids[0], Array(ids.dropFirst()), keep: keep)
            let report = try Self.undo(&fixture, entry.id, kind: .merge)
            #expect(report.conflicts.isEmpty, "round \(round)")
            for old in before {
                #expect(Self.same(fixture.state.contacts[old!.id], old), "round \(round): contact \(old!.id)")
                #expect(fixture.state.phoneIndex[old!.phone] == old!.id)
            }
        }
    }

    @Test("Undo of a bulk edit, a bulk delete (archive and permanent), TAG.MERGE, TAG.RENAME and TAG.DELETE FORCE")
    func undoBulkAndTags() throws {
        var fixture = Fixture()
        var ids: [ContactID] = []
        for n in 1...6 { ids.append(try fixture.add(#"{"name":"C\#(n)","phone":"+1650253000\#(n)","tags":["Cold"\#(n % 2 == 0 ? #","Warm""# : "")]}"#).id) }
        let original = ids.map { fixture.state.contacts[$0]! }
        func check(_ label: String) {
            for contact in original { #expect(Self.same(fixture.state.contacts[contact.id], contact), "\(label): \(contact.id)") }
        }
        func record(_ changes: [Change], _ kind: UndoEntry.Kind) -> UInt64 {
            let recorded = fixture.state.recordingUndo(changes, kind: kind, summary: "\(kind)", by: fixture.admin, context: fixture.context)
            Self.apply(recorded.changes, to: &fixture)
            return recorded.undoID!
        }
        let edit = record(try fixture.state.planBulkEdit(.ids(ids), [.addTags(["Q1"]), .removeTags(["Cold"])], by: fixture.admin, context: fixture.context).changes, .bulkEdit)
        #expect(fixture.state.tagIndex[TagKey("Cold")!] == nil)
        _ = try Self.undo(&fixture, edit)
        check("bulk edit")
        let archive = record(try fixture.state.planBulkDelete(.ids(ids), permanent: false, by: fixture.admin, context: fixture.context).changes, .bulkDelete)
        _ = try Self.undo(&fixture, archive)
        check("archive")
        let removal = record(try fixture.state.planBulkDelete(.ids(Array(ids.prefix(3))), permanent: true, by: fixture.admin, context: fixture.context).changes, .bulkDelete)
        #expect(fixture.state.contacts[ids[0]] == nil)
        _ = try Self.undo(&fixture, removal)
        check("permanent delete")
        let merged = record(try fixture.state.planMergeTags(["Cold"], into: "Warm", by: fixture.admin, context: fixture.context), .tagMerge)
        _ = try Self.undo(&fixture, merged)
        check("tag merge")
        let renamed = record(try fixture.state.planMergeTags(["Warm"], into: "Hot", by: fixture.admin, context: fixture.context), .tagRename)
        _ = try Self.undo(&fixture, renamed)
        check("tag rename")
        let deleted = record(try fixture.state.planDeleteTag("Cold", force: true, by: fixture.admin, context: fixture.context), .tagDelete)
        // A contact edited since keeps its edit; the rest come back.
        try fixture.update(ids[0], #"{"tags":["Other"]}"#)
        let report = try Self.undo(&fixture, deleted)
        #expect(report.conflicts.map(\.id) == [ids[0]])
        #expect(fixture.state.contacts[ids[0]]?.tags == ["Other"])
        for contact in original.dropFirst() { #expect(Self.same(fixture.state.contacts[contact.id], contact)) }
    }

    @Test("Undo of created contacts removes them unless changed since (FORCE removes those too); a removed contact whose phone was taken stays removed")
    func undoCreated() throws {
        var fixture = Fixture()
        var changes: [Change] = []
        for n in 1...3 { changes.append(.putContact(try fixture.state.planAdd(try JSONValue.parse(#"{"name":"N\#(n)","phone":"+1650253000\#(n)"}"#), by: fixture.admin, context: fixture.context))) }
        changes = changes.enumerated().map { index, change in
            guard case .putContact(var contact) = change else { return change }
            contact.id = ContactID(index + 1)
            return .putContact(contact)
        }
        let recorded = fixture.state.recordingUndo(changes, kind: .importCommit, summary: OrganizationState.importSummary(job: "1"), by: fixture.admin, context: fixture.context)
        Self.apply(recorded.changes, to: &fixture)
        try fixture.update(2, #"{"notes":"called back"}"#)
        let report = try Self.undo(&fixture, recorded.undoID!)
        #expect(report.removed == [3, 1])
        #expect(report.conflicts.map(\.id) == [2])
        #expect(fixture.state.contacts.count == 1)
        // Permanent removal, then the phone is reused: the undo cannot bring that contact back.
        let again = fixture.state.recordingUndo([.removeContact(2)], kind: .bulkDelete, summary: "x", by: fixture.admin, context: fixture.context)
        Self.apply(again.changes, to: &fixture)
        try fixture.add(#"{"name":"New","phone":"+16502530002"}"#)
        let blocked = try Self.undo(&fixture, again.undoID!)
        #expect(blocked.conflicts.map(\.field) == ["phone"] && fixture.state.contacts[2] == nil)
    }

    @Test("Undo entries past the retention are dropped by the next one recorded")
    func retention() throws {
        var fixture = Fixture()
        let a = try fixture.add(#"{"name":"A","phone":"+16502530001"}"#)
        let first = fixture.state.recordingUndo([.putContact({ var c = a; c.notes = "x"; return c }())], kind: .bulkEdit, summary: "1", by: fixture.admin, context: fixture.context)
        Self.apply(first.changes, to: &fixture)
        fixture.context.now += 31 * 86_400_000
        let second = fixture.state.recordingUndo([.putContact({ var c = fixture.state.contacts[a.id]!; c.notes = "y"; return c }())], kind: .bulkEdit, summary: "2", by: fixture.admin, context: fixture.context)
        #expect(second.changes.contains(.removeUndo(first.undoID!)))
        Self.apply(second.changes, to: &fixture)
        #expect(Array(fixture.state.undoEntries.keys) == [second.undoID!])
    }
}
