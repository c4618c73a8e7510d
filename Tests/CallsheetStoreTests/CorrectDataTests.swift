import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// What a thorough user found wrong on the side paths (issue 11), through the executor as the
/// REPL and the server run commands. Each failed before its fix.
@Suite struct CorrectDataTests {
    typealias Store = ExecutorTests.Store
    let helpers = ExecutorTests()

    /// An organization "Acme" with Sales (2) and Support (3), opened by its owner.
    func withOrganization(_ body: (Store, inout Session) async throws -> Void) async throws {
        let store = try Store()
        do {
            var (owner, _, _, _, _) = try await helpers.populate(store)
            _ = await store.run(&owner, "USE", "Acme")
            try await body(store, &owner)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Follows `next_cursor` from the first page of `arguments`; returns every id listed and the
    /// number of pages.
    func allPages(_ store: Store, _ session: inout Session, _ arguments: [String]) async throws -> (ids: [JSONValue], pages: Int) {
        var ids: [JSONValue] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try helpers.json(await store.executor.execute(arguments + (cursor.map { ["CURSOR", $0] } ?? []), session: &session))
            if case .array(let contacts)? = page["contacts"] { ids += contacts.compactMap { $0["id"] } }
            if case .string(let next)? = page["next_cursor"] { cursor = next } else { cursor = nil }
            pages += 1
        } while cursor != nil && pages < 20
        return (ids, pages)
    }

    func contact(_ store: Store, _ session: inout Session, _ id: Int) async throws -> JSONValue {
        try helpers.json(await store.run(&session, "CONTACT.GET", String(id)))
    }

    @Test func removingADropdownOptionInUseIsRefusedOrForced() async throws {
        try await withOrganization { store, owner in
            _ = try helpers.json(await store.run(&owner, "FIELD.CREATE", #"{"name":"tier","type":"dropdown","options":["Gold","Silver"]}"#))
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000","custom_fields":{"tier":"Silver"}}"#))
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ben","phone":"+1 650 253 0001","custom_fields":{"tier":"Gold"}}"#))
            let refused = await store.run(&owner, "FIELD.UPDATE", "tier", #"{"options":["Gold"]}"#)
            #expect(helpers.code(refused) == "CONFLICT")
            #expect(refused.errorMessage?.contains("1 contact holds") == true)
            #expect(try await contact(store, &owner, 1)["custom_fields"]?["tier"] == .string("Silver"))
            #expect(helpers.code(await store.run(&owner, "FIELD.UPDATE", "tier", #"{"options":["Gold"]}"#, "FORCE")) == nil)
            #expect(try await contact(store, &owner, 1)["custom_fields"]?["tier"] == nil)
            #expect(try await contact(store, &owner, 2)["custom_fields"]?["tier"] == .string("Gold"))
            // The remaining values are still searchable and writable.
            let found = try helpers.json(await store.run(&owner, "CONTACT.SEARCH", "*", "FIELD", "tier", "=", "Gold"))
            #expect(found["contacts"]?.arrayCount == 1)
        }
    }

    @Test func clearingFollowsTheDocs() async throws {
        try await withOrganization { store, owner in
            _ = try helpers.json(await store.run(&owner, "FIELD.CREATE", #"{"name":"crm","type":"text"}"#))
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000","department_id":3,"custom_fields":{"crm":"C-1"}}"#))
            _ = try helpers.json(await store.run(&owner, "CONTACT.UPDATE", "1", #"{"custom_fields":null}"#))
            #expect(try await contact(store, &owner, 1)["custom_fields"] == .object([]))
            _ = try helpers.json(await store.run(&owner, "CONTACT.UPDATE", "1", #"{"custom_fields":{"crm":"C-2"}}"#))
            _ = try helpers.json(await store.run(&owner, "CONTACT.UPDATE", "1", #"{"custom_fields":""}"#))
            #expect(try await contact(store, &owner, 1)["custom_fields"] == .object([]))
            // A contact always has a department: clearing it is refused, not a silent move.
            #expect(helpers.code(await store.run(&owner, "CONTACT.UPDATE", "1", #"{"department_id":null}"#)) == "INVALID_FIELD")
            #expect(try await contact(store, &owner, 1)["department_id"] == .integer(3))
        }
    }

    @Test func builtInNamesAreReserved() async throws {
        try await withOrganization { store, owner in
            for name in ["name", "phone", "email", "tags", "notes", "created_at", "first_name"] {
                let reply = await store.run(&owner, "FIELD.CREATE", #"{"name":"\#(name)","type":"text"}"#)
                #expect(helpers.code(reply) == "INVALID_FIELD", "\(name)")
            }
        }
    }

    @Test func callTimesAreISO8601AndNotInTheFuture() async throws {
        try await withOrganization { store, owner in
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000"}"#))
            #expect(helpers.code(await store.run(&owner, "CONTACT.LOGCALL", "1", "completed", "AT", "2030-01-01T00:00:00Z")) == "BAD_REQUEST")
            let offset = try helpers.json(await store.run(&owner, "CONTACT.LOGCALL", "1", "completed", "AT", "2026-01-02T12:30:00+02:00"))
            #expect(offset["last_called_at"] == .string("2026-01-02T10:30:00.000Z"))
            for text in ["2026-01-03T10:30Z", "2026-01-03T10:30:00.123456Z", "2026-01-03T10:30:00,5-0500", "2026-01-03 10:30:00Z", "2026-01-03T10:30:00+01"] {
                #expect(helpers.code(await store.run(&owner, "CONTACT.LOGCALL", "1", "completed", "AT", text)) == nil, "\(text)")
            }
            #expect(TimestampFormat.parse("2026-01-03T10:30:00.123456Z") == TimestampFormat.parse("2026-01-03T10:30:00.123Z"))
            #expect(TimestampFormat.parse("2026-01-03T05:30:00.5-0500") == TimestampFormat.parse("2026-01-03T10:30:00.500Z"))
            #expect(TimestampFormat.parse("2026-01-03T10:30:00") == nil, "a time without a zone is ambiguous")
            #expect(TimestampFormat.parse("2026-01-03T10:30:00+25:00") == nil)
        }
    }

    @Test func lookupsFindStoredNumbersWhateverTheValidationSetting() async throws {
        try await withOrganization { store, owner in
            #expect(await store.run(&owner, "ORG.SET", "phone_validation", "possible") == .ok)
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 555 555 5556"}"#))
            #expect(await store.run(&owner, "ORG.SET", "phone_validation", "valid") == .ok)
            let found = try helpers.json(await store.run(&owner, "CONTACT.BYPHONE", "+1 555 555 5556"))
            #expect(found["name"] == .string("Ann"))
            #expect(helpers.code(await store.run(&owner, "CONTACT.BYPHONE", "+1 555 555 5557")) == "NOT_FOUND")
        }
    }

    @Test func namesNeedAVisibleCharacterAndNoControlCharacters() async throws {
        try await withOrganization { store, owner in
            for name in ["Ann\u{0}Lee", "Ann\tLee", "Ann\nLee", "\u{200B}\u{200B}", "\u{0301}"] {
                let input = JSONValue.object([("name", .string(name)), ("phone", .string("+1 650 253 0000"))]).serialized
                #expect(helpers.code(await store.run(&owner, "CONTACT.ADD", input)) == "INVALID_FIELD", "\(name.unicodeScalars.map(\.value))")
            }
            let notes = JSONValue.object([("name", .string("Ann")), ("phone", .string("+1 650 253 0000")), ("notes", .string("line one\nline two\ttab"))]).serialized
            #expect(helpers.code(await store.run(&owner, "CONTACT.ADD", notes)) == nil, "notes keep line breaks")
        }
    }

    @Test func searchIgnoresApostrophesAndWordOrder() async throws {
        try await withOrganization { store, owner in
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Sean O'Brien","phone":"+1 650 253 0000"}"#))
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"José García","phone":"+1 650 253 0001","company":"Acme Health"}"#))
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Garcia Jose Luis","phone":"+1 650 253 0002"}"#))
            func names(_ words: String...) async throws -> [String] {
                let page = try helpers.json(await store.run(&owner, "CONTACT.SEARCH", words.joined(separator: " ")))
                guard case .array(let contacts)? = page["contacts"] else { return [] }
                return contacts.compactMap { if case .string(let name)? = $0["name"] { name } else { nil } }
            }
            #expect(try await names("obrien") == ["Sean O'Brien"])
            #expect(try await names("o’brien") == ["Sean O'Brien"])
            // The phrase as written first, then every word in any order.
            #expect(try await names("garcia jose") == ["Garcia Jose Luis", "José García"])
            #expect(try await names("jose garcia") == ["José García", "Garcia Jose Luis"])
            #expect(try await names("garcia health") == ["José García"])
            #expect(try await names("garcia nobody") == [])
            // Blank text is `*`: everything.
            let blank = try helpers.json(await store.run(&owner, "CONTACT.SEARCH", "   ", "COUNT"))
            #expect(blank["total"] == .integer(3))
        }
    }

    @Test func severalWordsPageWithCursorsAcrossBothPhases() async throws {
        try await withOrganization { store, owner in
            for index in 0..<7 {
                let name = index % 2 == 0 ? "Ann Lee \(index)" : "Lee Ann \(index)"
                _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"\#(name)","phone":"+1 650 253 \#(1000 + index)"}"#))
            }
            let seen = try await allPages(store, &owner, ["CONTACT.SEARCH", "ann lee", "LIMIT", "2"]).ids
            #expect(seen.count == 7)
            #expect(Set(seen.map { "\($0)" }).count == 7, "no contact twice across pages")
        }
    }

    @Test func keywordsAreNeverTakenAsValues() async throws {
        try await withOrganization { store, owner in
            let reply = await store.run(&owner, "CONTACT.SEARCH", "*", "OUTCOME", "COUNT")
            #expect(helpers.code(reply) == "BAD_REQUEST")
            #expect(reply.errorMessage?.contains("keyword COUNT") == true)
            let mode = await store.run(&owner, "CONTACT.SEARCH", "*", "TAGS", "SOME", "VIP")
            #expect(helpers.code(mode) == "BAD_REQUEST")
            #expect(mode.errorMessage?.contains("ANY, ALL or NONE") == true)
            #expect(helpers.code(await store.run(&owner, "CONTACT.SEARCH", "*", "TAGS", "VIP", "COUNT")) == nil)
        }
    }

    @Test func adminsCannotDeleteTheirOwnLogin() async throws {
        let store = try Store()
        let (_, aliceSecret, _, _, _) = try await helpers.populate(store)
        var alice = Session(isLocalOwner: false)
        _ = await store.run(&alice, "AUTH", "alice", aliceSecret)
        _ = try helpers.json(await store.run(&alice, "USER.CREATE", "zed", "ROLE", "admin"))
        #expect(helpers.code(await store.run(&alice, "USER.DELETE", "alice")) == "CONFLICT")
        #expect(helpers.code(await store.run(&alice, "WHOAMI")) == nil)
        #expect(await store.run(&alice, "USER.DELETE", "zed") == .ok)
        await store.close()
    }
}

extension JSONValue {
    /// The number of elements of an array value.
    var arrayCount: Int? {
        guard case .array(let elements) = self else { return nil }
        return elements.count
    }
}

/// Messages and replies a user reads (issue 11, "Messages and docs").
extension CorrectDataTests {
    @Test func importOptionsMayPrecedeTheSourceAndMappingsAreLists() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await helpers.populate(store)
        _ = await store.run(&owner, "USE", "Acme")
        let csv = "Name,Phone,Phone\nAnn,+16502530000,+16502530009\n"
        let preview = try helpers.json(await store.run(&owner, "IMPORT.PREVIEW", "CSV", csv))
        guard case .array(let mapping)? = preview["suggested_mapping"] else {
            Issue.record("mapping is not a list: \(preview.serialized)")
            await store.close()
            return
        }
        #expect(mapping.count == 3)
        #expect(mapping[1]["column"] == .string("Phone") && mapping[2]["column"] == .string("Phone"))
        #expect(mapping[2]["index"] == .integer(3))
        // As `redis-cli -x IMPORT.COMMIT DUPLICATES update STRICT CSV < file` sends it.
        let committed = try helpers.json(await store.run(&owner, "IMPORT.COMMIT", "DUPLICATES", "update", "STRICT", "CSV", csv))
        #expect(committed["created"] == .integer(1))
        #expect(helpers.code(await store.run(&owner, "IMPORT.COMMIT", "STRICT", "CSV", csv, "STRICT")) == "WRONG_ARGS")
        await store.close()
    }

    @Test func bulkEditRefusesABadValueOnceUpFront() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await helpers.populate(store)
        _ = await store.run(&owner, "USE", "Acme")
        _ = try helpers.json(await store.run(&owner, "FIELD.CREATE", #"{"name":"seats","type":"integer"}"#))
        for index in 0..<50 {
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"P\#(index)","phone":"+1 650 253 \#(1000 + index)"}"#))
        }
        let reply = await store.run(&owner, "CONTACT.BULKEDIT", "MATCH", "*", "DO", "SET", "seats", "abc")
        #expect(helpers.code(reply) == "INVALID_FIELD")
        #expect((reply.errorMessage?.utf8.count ?? .max) < 300, "one refusal, not one per contact")
        #expect(helpers.code(await store.run(&owner, "CONTACT.BULKEDIT", "MATCH", "*", "DO", "SET", "company", "X")) == "INVALID_FIELD")
        await store.close()
    }

    @Test func helpComesFromTheDeclarations() async throws {
        let store = try Store()
        var session = Session(isLocalOwner: false)
        let orgSet = await store.run(&session, "HELP", "ORG.SET").string ?? ""
        for key in ["duplicates", "strictness", "auto_tag", "phone_validation"] { #expect(orgSet.contains(key), "\(key)") }
        #expect(await store.run(&session, "HELP", "WHOAMI").string?.contains("needs AUTH") == true)
        #expect(await store.run(&session, "HELP", "ORG.CREATE").string?.contains("owner of the data directory") == true)
        await store.close()
    }
}

extension CorrectDataTests {
    @Test func callerIDPagesWithACursor() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await helpers.populate(store)
        _ = await store.run(&owner, "USE", "Acme")
        // Five numbers ending in 0000, in several area codes.
        for (index, area) in ["650", "415", "212", "312", "617"].enumerated() {
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"P\#(index)","phone":"+1 \#(area) 253 0000"}"#))
        }
        let (seen, pages) = try await allPages(store, &owner, ["CONTACT.CALLERID", "0000", "LIMIT", "2"])
        #expect(pages == 3)
        #expect(seen == (1...5).map { .integer($0) })
        let one = try helpers.json(await store.run(&owner, "CONTACT.CALLERID", "0000", "LIMIT", "1"))
        #expect(one["next_cursor"] == .string("i1"))
        await store.close()
    }
}

/// Money in `decimal` fields is kept to its last digit (issue 11).
extension CorrectDataTests {
    @Test func decimalsRoundTripExactlyThroughJournalAndSnapshot() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await helpers.populate(store)
        _ = await store.run(&owner, "USE", "Acme")
        _ = try helpers.json(await store.run(&owner, "FIELD.CREATE", #"{"name":"account_value","type":"decimal"}"#))
        let added = await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000","custom_fields":{"account_value":12.345678901234567890}}"#)
        #expect(added.string?.contains(#""account_value":12.34567890123456789"#) == true, "\(added)")
        _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ben","phone":"+1 650 253 0001","custom_fields":{"account_value":"99999999999999999999.99"}}"#))
        let tooPrecise = await store.run(&owner, "CONTACT.ADD", #"{"name":"Cy","phone":"+1 650 253 0002","custom_fields":{"account_value":0.0000000000000000001}}"#)
        #expect(helpers.code(tooPrecise) == "INVALID_FIELD")
        // Restart: the journal replays the exact values; then a snapshot and another restart.
        await store.directory._simulateCrash()
        let reopened = try ShardDirectory.open(StoreConfiguration(directory: store.path), logger: .init(label: "test"))
        let executor = CommandExecutor(directory: reopened)
        var session = Session(isLocalOwner: true)
        _ = await executor.execute(["USE", "Acme"], session: &session)
        let ann = await executor.execute(["CONTACT.GET", "1"], session: &session)
        #expect(ann.string?.contains(#""account_value":12.34567890123456789"#) == true, "\(ann)")
        _ = await executor.execute(["SNAPSHOT"], session: &session)
        await reopened.close()
        let again = try ShardDirectory.open(StoreConfiguration(directory: store.path), logger: .init(label: "test"))
        let third = CommandExecutor(directory: again)
        _ = await third.execute(["USE", "Acme"], session: &session)
        let ben = await third.execute(["CONTACT.GET", "2"], session: &session)
        #expect(ben.string?.contains(#""account_value":99999999999999999999.99"#) == true, "\(ben)")
        let filtered = try helpers.json(await third.execute(["CONTACT.SEARCH", "*", "FIELD", "account_value", ">", "100"], session: &session))
        #expect(filtered["contacts"]?.arrayCount == 1)
        await again.close()
        try? FileManager.default.removeItem(atPath: store.path)
    }

    @Test func decimalTextIsCanonicalAndOrdered() {
        #expect(DecimalNumber("1.50")?.description == "1.5")
        #expect(DecimalNumber("-0.001")?.description == "-0.001")
        #expect(DecimalNumber("1.5e3")?.description == "1500")
        #expect(DecimalNumber("12.345678901234567890")?.description == "12.34567890123456789")
        #expect(DecimalNumber("1e40") == nil && DecimalNumber("abc") == nil && DecimalNumber("1.2.3") == nil)
        #expect(DecimalNumber("1.5") == DecimalNumber("1.50"))
        #expect(DecimalNumber("0.1").map { a in DecimalNumber("0.100000000000000001").map { a < $0 } ?? false } == true)
        #expect(DecimalNumber("-2").map { a in DecimalNumber("-1.999").map { a < $0 } ?? false } == true)
    }
}

extension CorrectDataTests {
    @Test func messagesReadAsEnglish() async throws {
        try await withOrganization { store, owner in
            let agent = await store.run(&owner, "USER.CREATE", "abe", "ROLE", "agent")
            #expect(agent.errorMessage?.hasPrefix("an agent belongs to a department") == true, "\(agent)")
            let manager = await store.run(&owner, "USER.CREATE", "mo", "ROLE", "manager")
            #expect(manager.errorMessage?.hasPrefix("a manager belongs to a department") == true, "\(manager)")
            _ = try helpers.json(await store.run(&owner, "FIELD.CREATE", #"{"name":"crm","type":"text"}"#))
            #expect(await store.run(&owner, "FIELD.ARCHIVE", "crm") == .ok)
            let archived = await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000","custom_fields":{"crm":"x"}}"#)
            #expect(archived.errorMessage?.contains("is archived") == true, "\(archived)")
        }
    }
}

/// Phone extensions are kept and vanity numbers are reported (issue 11).
extension CorrectDataTests {
    @Test func extensionsAreKeptThroughJournalAndSnapshot() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await helpers.populate(store)
        _ = await store.run(&owner, "USE", "Acme")
        let added = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Switchboard","phone":"(650) 253-0005 ext. 12"}"#))
        #expect(added["phone"] == .string("+16502530005"))
        #expect(added["phone_extension"] == .string("12"))
        // Lookups go by the number; the extension is what a dialer dials after it.
        let found = try helpers.json(await store.run(&owner, "CONTACT.BYPHONE", "+1 650 253 0005"))
        #expect(found["phone_extension"] == .string("12"))
        _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Plain","phone":"+1 650 253 0006"}"#))
        #expect(try helpers.json(await store.run(&owner, "CONTACT.GET", "2"))["phone_extension"] == nil, "no key without an extension")
        _ = try helpers.json(await store.run(&owner, "CONTACT.UPDATE", "2", #"{"phone_extension":"7"}"#))
        #expect(helpers.code(await store.run(&owner, "CONTACT.UPDATE", "2", #"{"phone_extension":"12a"}"#)) == "INVALID_FIELD")
        // Replayed from the journal, then from a snapshot.
        await store.directory._simulateCrash()
        let reopened = try ShardDirectory.open(StoreConfiguration(directory: store.path), logger: .init(label: "test"))
        var session = Session(isLocalOwner: true)
        let executor = CommandExecutor(directory: reopened)
        _ = await executor.execute(["USE", "Acme"], session: &session)
        #expect(try helpers.json(await executor.execute(["CONTACT.GET", "1"], session: &session))["phone_extension"] == .string("12"))
        _ = await executor.execute(["SNAPSHOT"], session: &session)
        await reopened.close()
        let again = try ShardDirectory.open(StoreConfiguration(directory: store.path), logger: .init(label: "test"))
        let third = CommandExecutor(directory: again)
        _ = await third.execute(["USE", "Acme"], session: &session)
        #expect(try helpers.json(await third.execute(["CONTACT.GET", "2"], session: &session))["phone_extension"] == .string("7"))
        let imported = try helpers.json(await third.execute(["IMPORT.COMMIT", "CSV", "Name,Phone\nDesk,650 253 0009 x 301\n"], session: &session))
        #expect(imported["created"] == .integer(1))
        #expect(try helpers.json(await third.execute(["CONTACT.BYPHONE", "+16502530009"], session: &session))["phone_extension"] == .string("301"))
        await again.close()
        try? FileManager.default.removeItem(atPath: store.path)
    }

    @Test func vanityNumbersAreReadAndReported() async throws {
        try await withOrganization { store, owner in
            let added = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Flowers","phone":"1-800-FLOWERS"}"#))
            #expect(added["phone"] == .string("+18003569377"))
            guard case .array(let warnings)? = added["warnings"] else {
                Issue.record("no warning: \(added.serialized)")
                return
            }
            #expect(warnings.first.map { "\($0)" }?.contains("+18003569377") == true)
            let plain = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"(650) 253-0001 ext. 4"}"#))
            #expect(plain["warnings"] == nil, "an extension marker is no vanity number")
            let report = try helpers.json(await store.run(&owner, "IMPORT.VALIDATE", "CSV", "Name,Phone\nTaxi,1-800-TAXICAB\n"))
            #expect(report.serialized.contains("VANITY_NUMBER"), "\(report.serialized)")
        }
    }
}
