import CallsheetCore
import Testing

/// Filters, sort and cursors checked against brute-force expectations over a fixed organization.
@Suite struct SearchTests {
    /// 60 contacts with varied tags, departments, custom fields, call history and archive state.
    static func organization() throws -> Fixture {
        var fixture = Fixture()
        try fixture.createField(#"{"name":"value","type":"decimal"}"#)
        try fixture.createField(#"{"name":"renewal","type":"date"}"#)
        try fixture.createField(#"{"name":"industry","type":"dropdown","options":["Healthcare","Finance","Retail"]}"#)
        try fixture.createField(#"{"name":"vip","type":"checkbox","visible_to":"manager+"}"#)
        try fixture.createField(#"{"name":"note","type":"text"}"#)
        let names = ["José García", "Zoë Müller", "Ann Smith", "Øberg Lund", "Kumar Patel", "Anne Schmidt"]
        let tags = ["VIP", "DNC", "Q4", "New"]
        let industries = ["Healthcare", "Finance", "Retail"]
        for index in 0..<60 {
            var fields = [#""value":\#(index * 100)"#, #""industry":"\#(industries[index % 3])""#]
            if index % 4 == 0 { fields.append(#""renewal":"2026-0\#(1 + index % 9)-15""#) }
            if index % 5 == 0 { fields.append(#""vip":true"#) }
            if index % 7 == 0 { fields.append(#""note":"call about Tech renewal""#) }
            let contact = try fixture.add(#"{"name":"\#(names[index % names.count]) \#(index)","phone":"+1650253\#(String(1000 + index))","department_id":\#(2 + index % 2),"tags":["\#(tags[index % 4])","\#(tags[(index / 4) % 4])"],"custom_fields":{\#(fields.joined(separator: ","))}}"#)
            if index % 3 == 0 {
                let called = try fixture.state.planLogCall(contact.id, outcome: index % 2 == 0 ? "voicemail" : "completed", at: 1_764_000_000_000 + Int64(index) * 86_400_000, by: fixture.admin, context: PlanningContext(now: 1_770_000_000_000))
                fixture.state.apply(.putContact(called))
            }
            if index % 10 == 9 { fixture.state.apply(try fixture.state.planDelete(contact.id, permanent: false, by: fixture.admin, context: fixture.context)) }
        }
        return fixture
    }

    func ids(_ fixture: Fixture, _ words: [String], caller: Caller? = nil) throws -> [ContactID] {
        var query = try ContactQuery.parse(words)
        query.limit = 1000
        return try fixture.state.search(query, for: caller ?? fixture.admin).contacts.map(\.id)
    }

    func expected(_ fixture: Fixture, archived: Bool = false, _ predicate: (Contact) -> Bool) -> [ContactID] {
        fixture.state.contacts.values.filter { ($0.archivedAt != nil) == archived && predicate($0) }.map(\.id).sorted()
    }

    @Test func filtersMatchBruteForce() throws {
        let fixture = try Self.organization()
        func tags(_ contact: Contact) -> Set<String> { Set(contact.tags.map { $0.lowercased() }) }
        func number(_ contact: Contact) -> Double? { if case .decimal(let value)? = contact.customFields["value"] { value.doubleValue } else { nil } }
        let cases: [([String], (Contact) -> Bool)] = [
            (["*", "TAGS", "ANY", "vip,q4"], { !tags($0).isDisjoint(with: ["vip", "q4"]) }),
            (["*", "TAGS", "ALL", "VIP,Q4"], { tags($0).isSuperset(of: ["vip", "q4"]) }),
            (["*", "TAGS", "NONE", "DNC"], { !tags($0).contains("dnc") }),
            (["*", "DEPT", "3"], { $0.departmentID == 3 }),
            (["*", "CALLED", "NEVER"], { $0.lastCalledAt == nil }),
            (["*", "CALLED", "2025-12-01.."], { ($0.lastCalledAt ?? 0) >= 1_764_547_200_000 }),
            (["*", "OUTCOME", "voicemail"], { $0.lastCallOutcome == "voicemail" }),
            (["*", "CALLS", "1.."], { $0.totalCalls >= 1 }),
            (["*", "FIELD", "value", ">", "2500"], { (number($0) ?? 0) > 2500 }),
            (["*", "FIELD", "value", "BETWEEN", "1000..2000"], { (1000...2000).contains(number($0) ?? -1) }),
            (["*", "FIELD", "industry", "IN", "finance,retail"], { [.text("Finance"), .text("Retail")].contains($0.customFields["industry"]) }),
            (["*", "FIELD", "industry", "!=", "Finance"], { $0.customFields["industry"] != .text("Finance") }),
            (["*", "FIELD", "renewal", "<", "2026-04-01"], { if case .date(let d)? = $0.customFields["renewal"] { d < "2026-04-01" } else { false } }),
            (["*", "FIELD", "renewal", "EMPTY"], { $0.customFields["renewal"] == nil }),
            (["*", "FIELD", "vip", "=", "true"], { $0.customFields["vip"] == .checkbox(true) }),
            (["*", "FIELD", "vip", "=", "false"], { $0.customFields["vip"] != .checkbox(true) }),
            (["*", "FIELD", "note", "CONTAINS", "tech"], { $0.customFields["note"] != nil }),
            (["*", "TAGS", "ANY", "VIP", "FIELD", "value", "<=", "3000", "DEPT", "2"], { tags($0).contains("vip") && (number($0) ?? 0) <= 3000 && $0.departmentID == 2 }),
            (["smith", "TAGS", "NONE", "DNC"], { $0.name.contains("Smith") && !tags($0).contains("dnc") }),
            (["mull"], { $0.name.contains("Müller") }),
        ]
        for (words, predicate) in cases {
            #expect(try ids(fixture, words).sorted() == expected(fixture, predicate), "\(words)")
        }
        #expect(try ids(fixture, ["*", "ARCHIVED", "yes"]) == expected(fixture, archived: true) { _ in true })
        #expect(try ids(fixture, ["*", "ARCHIVED", "any"]).count == 60)
        // A manager's filters never reach past their department.
        #expect(try ids(fixture, ["*", "TAGS", "ANY", "VIP"], caller: fixture.supportManager) == expected(fixture) { tags($0).contains("vip") && $0.departmentID == 3 })
        #expect(error { try ids(fixture, ["*", "DEPT", "2"], caller: fixture.supportManager) }?.code == .forbidden)
    }

    @Test func preciseErrors() throws {
        let fixture = try Self.organization()
        let cases: [([String], CallsheetError.Code, String)] = [
            (["*", "FIELD", "colour", "=", "red"], .invalidField, "FIELD: unknown custom field 'colour'; defined: value, renewal, industry, vip, note"),
            (["*", "FIELD", "value", ">", "lots"], .invalidField, "FIELD value (decimal): 'lots' is not a number"),
            (["*", "FIELD", "renewal", ">", "31/12/2025"], .invalidField, "FIELD renewal (date): '31/12/2025' is not a date written YYYY-MM-DD"),
            (["*", "FIELD", "industry", "=", "Mining"], .invalidField, "FIELD industry (dropdown): 'Mining' is not an option; options: Healthcare, Finance, Retail"),
            (["*", "FIELD", "note", ">", "a"], .invalidField, "FIELD note (text): compare text with = != IN CONTAINS EMPTY SET"),
            (["*", "FIELD", "vip", "=", "maybe"], .invalidField, "FIELD vip (checkbox): expects true or false, got 'maybe'"),
            (["*", "CREATED", "2025-13-01.."], .badRequest, "CREATED expects dates written YYYY-MM-DD (or ISO times) around '..', got '2025-13-01'"),
            (["*", "CREATED", "2025-06-01..2025-01-01"], .badRequest, "CREATED range '2025-06-01..2025-01-01' is empty: its start is after its end"),
            (["*", "COLOUR", "red"], .badRequest, "'COLOUR' is not a filter; filters are \(FilterClause.keywords); then SORT, LIMIT, CURSOR, COUNT, PRESET"),
            (["*", "SORT", "phone"], .badRequest, "SORT by 'phone'? Expected name, created, updated or called"),
            (["*", "CURSOR", "x12"], .badRequest, "CURSOR 'x12' is not a next_cursor of this query; start again without CURSOR"),
            (["*", "TAGS", "ANY"], .badRequest, "TAGS needs tags separated by commas, e.g. VIP,Q4"),
        ]
        for (words, code, message) in cases {
            let failure = error { try fixture.state.search(try ContactQuery.parse(words), for: fixture.admin) }
            #expect(failure?.code == code, "\(words)")
            #expect(failure?.message == message, "\(words)")
        }
        // Fields the caller's role cannot see do not exist for it.
        let hidden = error { try fixture.state.search(try ContactQuery.parse(["*", "FIELD", "vip", "SET"]), for: fixture.salesAgent) }
        #expect(hidden?.code == .invalidField)
    }

    /// Pages through with every order, adding and deleting contacts between pages: every contact
    /// present throughout is seen exactly once, in order.
    @Test(arguments: [[], ["SORT", "name"], ["SORT", "name", "DESC"], ["SORT", "created", "DESC"], ["SORT", "called"], ["TAGS", "ANY", "VIP,Q4"]])
    func cursorsSurviveWrites(order: [String]) throws {
        var fixture = try Self.organization()
        let stable = Set(try ids(fixture, ["*"] + order))
        var seen: [ContactID] = []
        var cursor: String?
        var round = 0
        // Seeded, so a failure replays: the contact deleted each round is the same every run.
        var random = RandomOperationsTests.SplitMix(state: UInt64(order.count) &* 7_919 &+ 1)
        repeat {
            var query = try ContactQuery.parse(["*"] + order + ["LIMIT", "7"])
            query.cursor = cursor
            let page = try fixture.state.search(query, for: fixture.admin)
            seen += page.contacts.map(\.id)
            cursor = page.nextCursor
            // Churn: a new contact and a permanent delete of one already seen.
            round += 1
            try fixture.add(#"{"name":"Aaron Churn \#(round)","phone":"+1650254\#(String(1000 + round))","tags":["VIP"]}"#)
            let candidates = seen.dropLast()
            if !candidates.isEmpty { fixture.state.apply(.removeContact(candidates[candidates.startIndex + random.next(candidates.count)])) }
        } while cursor != nil && round < 100
        let seenStable = seen.filter(stable.contains)
        #expect(Set(seenStable) == stable)
        #expect(seenStable.count == stable.count, "a contact appeared twice")
    }

    @Test func rankedSearchPagesAndCounts() throws {
        let fixture = try Self.organization()
        var query = try ContactQuery.parse(["an", "LIMIT", "4", "COUNT"])
        var all: [ContactID] = []
        var total: Int?
        while true {
            let page = try fixture.state.search(query, for: fixture.admin)
            all += page.contacts.map(\.id)
            total = total ?? page.total
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        #expect(Set(all).count == all.count)
        #expect(all.count == total)
        #expect(all.count == expected(fixture) { TextFoldingProbe.fold($0.name).contains("an") }.count)
        // Exact and prefix matches first.
        let first = try fixture.state.search(try ContactQuery.parse(["ann"]), for: fixture.admin).contacts.first
        #expect(first?.name.hasPrefix("Ann") == true)
    }

    @Test func presetsSaveUseRenameDelete() throws {
        var fixture = try Self.organization()
        let preset = try fixture.state.planSavePreset("VIP Q4", ["*", "TAGS", "ALL", "VIP,Q4", "SORT", "name"], by: fixture.admin, context: fixture.context)
        fixture.state.apply(.putPreset(preset))
        var query = ContactQuery()
        query.preset = "vip q4"
        query.limit = 1000
        #expect(try fixture.state.search(query, for: fixture.admin).contacts.map(\.id).sorted() == (try ids(fixture, ["*", "TAGS", "ALL", "VIP,Q4"])).sorted())
        // Presets belong to their user.
        #expect(error { try fixture.state.search(query, for: fixture.salesManager) }?.code == .notFound)
        // A preset that does not resolve is refused when saved.
        #expect(error { try fixture.state.planSavePreset("bad", ["*", "FIELD", "nope", "SET"], by: fixture.admin, context: fixture.context) }?.code == .invalidField)
        fixture.state.apply(try fixture.state.planRenamePreset("VIP Q4", to: "Q4 VIPs", by: fixture.admin))
        #expect(fixture.state.presets[fixture.admin.userID]?.keys.sorted() == ["q4 vips"])
        var writer = BinaryWriter()
        fixture.state.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(try OrganizationState.decode(&reader).presets == fixture.state.presets)
    }

    @Test func tagRenameMergeDelete() throws {
        var fixture = try Self.organization()
        let vip = fixture.state.tagIndex[TagKey("VIP")!]?.count ?? 0
        let q4 = fixture.state.tagIndex[TagKey("Q4")!]?.count ?? 0
        let both = fixture.state.contacts.values.filter { Set($0.tags).isSuperset(of: ["VIP", "Q4"]) }.count
        fixture.state.apply(try fixture.state.planMergeTags(["VIP", "q4"], into: "Priority", by: fixture.admin, context: fixture.context))
        #expect(fixture.state.tagIndex[TagKey("priority")!]?.count == vip + q4 - both)
        #expect(fixture.state.tagIndex[TagKey("VIP")!] == nil)
        // Renaming onto an existing tag merges.
        fixture.state.apply(try fixture.state.planMergeTags(["New"], into: "dnc", by: fixture.admin, context: fixture.context))
        #expect(fixture.state.tagDisplay[TagKey("dnc")!] == "DNC")
        // Re-spelling is the admin's, and changes every carrier.
        #expect(error { try fixture.state.planMergeTags(["DNC"], into: "dnc", by: fixture.salesManager, context: fixture.context) }?.code == .forbidden)
        fixture.state.apply(try fixture.state.planMergeTags(["DNC"], into: "Dnc", by: fixture.admin, context: fixture.context))
        #expect(fixture.state.tagDisplay[TagKey("dnc")!] == "Dnc")
        #expect(error { try fixture.state.planDeleteTag("Dnc", force: false, by: fixture.admin, context: fixture.context) }?.code == .conflict)
        fixture.state.apply(try fixture.state.planDeleteTag("Dnc", force: true, by: fixture.admin, context: fixture.context))
        #expect(fixture.state.tagIndex[TagKey("dnc")!] == nil)
        #expect(error { try fixture.state.planDeleteTag("Dnc", force: true, by: fixture.admin, context: fixture.context) }?.code == .notFound)
        // A manager's rename stays in their department: every Sales carrier is renamed, no other.
        let salesCarriers = Set(fixture.state.contacts.values.filter { $0.tags.contains("Priority") && $0.departmentID == 2 }.map(\.id))
        let otherCarriers = Set(fixture.state.contacts.values.filter { $0.tags.contains("Priority") && $0.departmentID != 2 }.map(\.id))
        #expect(!salesCarriers.isEmpty && !otherCarriers.isEmpty, "the fixture has Priority contacts in Sales and elsewhere")
        let renamed = try fixture.state.planMergeTags(["Priority"], into: "Sales-Priority", by: fixture.salesManager, context: fixture.context)
        #expect(renamed.count == salesCarriers.count)
        fixture.state.apply(renamed)
        #expect(Set(fixture.state.contacts.values.filter { $0.tags.contains("Sales-Priority") }.map(\.id)) == salesCarriers)
        #expect(Set(fixture.state.contacts.values.filter { $0.tags.contains("Priority") }.map(\.id)) == otherCarriers)
        // Merging into one of the sources walks the target's carriers: those of other departments
        // keep every tag, the sources too.
        let support = try fixture.add(#"{"name":"Sue Merge","phone":"+16502539001","department_id":3,"tags":["Cold","Warm"]}"#)
        let sales = try fixture.add(#"{"name":"Sal Merge","phone":"+16502539002","department_id":2,"tags":["Cold","Warm"]}"#)
        let merged = try fixture.state.planMergeTags(["Cold", "Warm"], into: "Warm", by: fixture.salesManager, context: fixture.context)
        #expect(merged.count == 1)
        fixture.state.apply(merged)
        #expect(fixture.state.contacts[support.id]?.tags == ["Cold", "Warm"])
        #expect(fixture.state.contacts[sales.id]?.tags == ["Warm"])
        #expect(fixture.state._checkInvariants().isEmpty)
    }

    @Test func bulkEditReportsRefusals() throws {
        var fixture = try Self.organization()
        let target = try ids(fixture, ["*", "TAGS", "ANY", "DNC"], caller: fixture.salesManager)
        var words = ["IDS", (target + [1_000, 1]).map(String.init).joined(separator: ","), "DO", "ADDTAGS", "Reviewed", "SET", "industry", "Finance", "REMOVETAGS", "DNC"][...]
        let selection = try BulkSelection.parse(&words, command: "CONTACT.BULKEDIT")
        let report = try fixture.state.planBulkEdit(selection, [.addTags(["Reviewed"]), .setField("industry", "Finance"), .removeTags(["DNC"])], by: fixture.salesManager, context: fixture.context)
        // Contact 1 is in Sales (department 2)? If not, it is refused like the missing id.
        let outside = [ContactID(1_000)] + (fixture.state.contacts[1]?.departmentID == 2 ? [] : [1])
        #expect(report.refused.map(\.0).sorted() == outside.sorted())
        fixture.state.apply(report.changes)
        let edited = report.changes.count
        for id in target {
            let contact = try #require(fixture.state.contacts[id])
            #expect(contact.tags.contains("Reviewed") && !contact.tags.contains("DNC") && contact.customFields["industry"] == .text("Finance"))
        }
        // A value a field refuses is refused once, for the whole command, before any contact.
        let bad = error { try fixture.state.planBulkEdit(.ids(target), [.setField("value", "lots")], by: fixture.admin, context: fixture.context) }
        #expect(bad?.code == .invalidField)
        #expect(bad?.message == "field 'value' expects a number, got \"lots\"")
        #expect(error { try fixture.state.planBulkEdit(.ids(target), [.move(3)], by: fixture.salesManager, context: fixture.context) }?.code == .forbidden)
        let deleted = try fixture.state.planBulkDelete(.query(try ContactQuery.parse(["*", "TAGS", "ANY", "Reviewed"])), permanent: false, by: fixture.admin, context: fixture.context)
        #expect(deleted.changes.count == edited)
        #expect(fixture.state._checkInvariants().isEmpty)
    }

    @Test func callerIDBySuffix() throws {
        var fixture = Fixture()
        try fixture.add(#"{"name":"Ann","phone":"+16502530000"}"#)
        try fixture.add(#"{"name":"Bo","phone":"+442079460000"}"#)
        #expect(fixture.state.textIndex.phoneSuffix("2530000", limit: 10) == [1])
        #expect(Set(fixture.state.textIndex.phoneSuffix("0000", limit: 10)) == [1, 2])
        #expect(fixture.state.textIndex.phoneSuffix("9999", limit: 10).isEmpty)
    }
}
