import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// The holes issue 9 found in review, each driven through the executor as the REPL and the
/// server call it. Every test here failed before its fix.
@Suite struct HardeningTests {
    typealias Store = ExecutorTests.Store
    let helpers = ExecutorTests()

    /// Runs `body` with a fresh data directory, closed and removed afterwards.
    func withStore(_ body: (Store) async throws -> Void) async throws {
        let store = try Store()
        do {
            try await body(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    func signIn(_ store: Store, _ user: String, _ secret: String) async -> Session {
        var session = Session(isLocalOwner: false)
        _ = await store.run(&session, "AUTH", user, secret)
        return session
    }

    // MARK: Revocation

    @Test func deletedUserIsSignedOutAtTheNextCommand() async throws {
        try await withStore { store in
            var (owner, _, bobSecret, _, _) = try await helpers.populate(store)
            var bob = await signIn(store, "bob", bobSecret)
            #expect(helpers.code(await store.run(&bob, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000"}"#)) == nil)
            #expect(await store.run(&owner, "USER.DELETE", "bob") == .ok)
            let reply = await store.run(&bob, "CONTACT.ADD", #"{"name":"Ben","phone":"+1 650 253 0001"}"#)
            #expect(helpers.code(reply) == "NOAUTH")
            #expect(bob.wantsClose, "the connection of a deleted user closes")
            #expect(!bob.isAuthenticated)
            // Nothing was stored for the refused add.
            let count = try helpers.json(await store.run(&owner, "CONTACT.COUNT"))
            #expect(count["active"] == .integer(1))
        }
    }

    @Test func demotedAdminLosesRightsAtTheNextCommand() async throws {
        try await withStore { store in
            var (owner, aliceSecret, _, _, _) = try await helpers.populate(store)
            _ = try helpers.json(await store.run(&owner, "USER.CREATE", "zed", "ROLE", "admin"))
            var alice = await signIn(store, "alice", aliceSecret)
            #expect(helpers.code(await store.run(&alice, "DEPT.CREATE", "Ops")) == nil)
            // Another admin demotes alice to an agent of Sales while her session is open.
            #expect(await store.run(&owner, "USER.SETROLE", "alice", "agent", "DEPT", "2") == .ok)
            #expect(helpers.code(await store.run(&alice, "DEPT.CREATE", "Ops2")) == "FORBIDDEN")
            #expect(helpers.code(await store.run(&alice, "CONTACT.ADD", #"{"name":"X","phone":"+1 650 253 0002"}"#)) == "FORBIDDEN")
            let whoami = try helpers.json(await store.run(&alice, "WHOAMI"))
            #expect(whoami["role"] == .string("agent"))
            #expect(!alice.wantsClose, "a role change keeps the connection, with the new rights")
        }
    }

    @Test func resetSecretSignsOutOpenSessions() async throws {
        try await withStore { store in
            var (owner, _, _, daveSecret, _) = try await helpers.populate(store)
            var dave = await signIn(store, "dave", daveSecret)
            #expect(helpers.code(await store.run(&dave, "WHOAMI")) == nil)
            guard let newSecret = (await store.run(&owner, "USER.RESETSECRET", "dave")).string else {
                Issue.record("no new secret")
                return
            }
            #expect(helpers.code(await store.run(&dave, "WHOAMI")) == "NOAUTH")
            var again = await signIn(store, "dave", daveSecret)
            #expect(!again.isAuthenticated, "the old secret no longer works")
            again = await signIn(store, "dave", newSecret)
            #expect(again.isAuthenticated)
        }
    }

    @Test func revocationReachesPipelinedLookups() async throws {
        try await withStore { store in
            var (owner, _, _, daveSecret, _) = try await helpers.populate(store)
            _ = await store.run(&owner, "USE", "Acme")
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000","department_id":2}"#))
            var dave = await signIn(store, "dave", daveSecret)
            let before = await store.executor.execute(batch: [["CONTACT.GET", "1"], ["CONTACT.GET", "1"]], session: &dave)
            #expect(before.allSatisfy { helpers.code($0) == nil })
            #expect(await store.run(&owner, "USER.DELETE", "dave") == .ok)
            let after = await store.executor.execute(batch: [["CONTACT.GET", "1"], ["CONTACT.BYPHONE", "+16502530000"]], session: &dave)
            #expect(after.count >= 1)
            #expect(after.allSatisfy { helpers.code($0) == "NOAUTH" })
        }
    }

    // MARK: Roles from the declaration, before the arguments

    @Test func everyCommandDeclaresItsAccessAndHelpSaysIt() async throws {
        try await withStore { store in
            var session = Session(isLocalOwner: false)
            for spec in CommandCatalog.all {
                guard let help = (await store.run(&session, "HELP", spec.name)).string else {
                    Issue.record("HELP \(spec.name) failed")
                    continue
                }
                #expect(help.contains(spec.access.description), "HELP \(spec.name)")
            }
            #expect(CommandCatalog.spec(named: "WHOAMI")?.access == .signedIn)
            #expect(CommandCatalog.spec(named: "ORG.CREATE")?.access == .owner)
            #expect(CommandCatalog.spec(named: "ORG.LIST")?.access == .owner)
        }
    }

    @Test func agentsAreRefusedBeforeHostileArgumentsAreParsed() async throws {
        try await withStore { store in
            let (_, _, _, daveSecret, _) = try await helpers.populate(store)
            var dave = await signIn(store, "dave", daveSecret)
            // 200,000 distinct keys: quadratic before; refused by role before parsing now.
            let members = (0..<200_000).map { "\"k\($0)\":1" }.joined(separator: ",")
            let clock = ContinuousClock()
            let started = clock.now
            let reply = await store.run(&dave, "CONTACT.ADD", "{\(members)}")
            #expect(helpers.code(reply) == "FORBIDDEN")
            let words = ["CONTACT.SEARCH", "*"] + Array(repeating: "COUNT", count: 300_000)
            #expect(helpers.code(await store.executor.execute(words, session: &dave)) == "FORBIDDEN")
            #expect(clock.now - started < .seconds(5))
            // Not signed in at all: NOAUTH, whatever the arguments.
            var stranger = Session(isLocalOwner: false)
            #expect(helpers.code(await store.run(&stranger, "CONTACT.ADD", "{\(members)}")) == "NOAUTH")
        }
    }

    @Test func jsonWithManyKeysParsesInLinearTime() throws {
        let members = (0..<200_000).map { "\"k\($0)\":1" }.joined(separator: ",")
        let clock = ContinuousClock()
        let started = clock.now
        guard case .object(let parsed) = try JSONValue.parse("{\(members)}") else {
            Issue.record("not an object")
            return
        }
        #expect(parsed.count == 200_000)
        #expect(clock.now - started < .seconds(10))
        #expect(throws: CallsheetError.self) { try JSONValue.parse("{\(members),\"k19999\":2}") }
        #expect(throws: CallsheetError.self) { try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#) }
    }

    @Test func searchWithManyFilterWordsIsRefusedQuickly() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let words = ["*"] + Array(repeating: ["ARCHIVED", "any"], count: 150_000).flatMap { $0 }
        #expect(throws: CallsheetError.self) { try ContactQuery.parse(words) }
        let counts = ["*"] + Array(repeating: "COUNT", count: 300_000)
        #expect(try ContactQuery.parse(counts).withTotal)
        // Every word is checked on every candidate: the text is bounded in bytes and words.
        #expect(throws: CallsheetError.self) { try ContactQuery.parse([String(repeating: "a", count: 257)]) }
        #expect(throws: CallsheetError.self) { try ContactQuery.parse(["a b c d e f g h i"]) }
        #expect(try ContactQuery.parse(["a b c d e f g h"]).text == "a b c d e f g h")
        #expect(CommandExecutor.isLookup("contact.ByPhone") && CommandExecutor.isLookup("CONTACT.GET"))
        #expect(!CommandExecutor.isLookup("CONTACT.GETX") && !CommandExecutor.isLookup("CONTACT_GET"))
        #expect(clock.now - started < .seconds(5))
    }

    @Test func helloDoesNotPretendToSignIn() async throws {
        try await withStore { store in
            let (_, aliceSecret, _, _, _) = try await helpers.populate(store)
            var session = Session(isLocalOwner: false)
            let reply = await store.run(&session, "HELLO", "2", "AUTH", "alice", aliceSecret)
            #expect(helpers.code(reply) == "BAD_REQUEST")
            #expect(!session.isAuthenticated)
            #expect(helpers.code(await store.run(&session, "HELLO", "2")) == nil)
        }
    }

    @Test func orgSetNameRefusesNonAdminsBeforeRevealingOtherTenants() async throws {
        try await withStore { store in
            var (owner, _, bobSecret, _, _) = try await helpers.populate(store)
            _ = await store.run(&owner, "ORG.CREATE", "Globex", "ADMIN", "gus")
            var bob = await signIn(store, "bob", bobSecret)
            // Taken and free names answer alike for a manager.
            let taken = await store.run(&bob, "ORG.SET", "name", "Globex")
            let free = await store.run(&bob, "ORG.SET", "name", "Initech")
            #expect(helpers.code(taken) == "FORBIDDEN")
            #expect(taken == free)
        }
    }

    @Test func snapshotByAnOrganizationsAdminRevealsNoPathsOrTenants() async throws {
        try await withStore { store in
            var (owner, aliceSecret, _, _, _) = try await helpers.populate(store)
            _ = await store.run(&owner, "ORG.CREATE", "Globex", "ADMIN", "gus")
            var alice = await signIn(store, "alice", aliceSecret)
            let report = try helpers.json(await store.run(&alice, "SNAPSHOT"))
            #expect(report["file"] == nil)
            #expect(report["organizations"] == nil)
            #expect(report["contacts"] == nil)
            #expect(report["sequence"] != nil)
            let full = try helpers.json(await store.run(&owner, "SNAPSHOT"))
            #expect(full["file"] != nil)
        }
    }

    // MARK: Lengths in bytes

    @Test func lengthLimitsBoundBytes() async throws {
        try await withStore { store in
            var (owner, _, _, _, _) = try await helpers.populate(store)
            _ = await store.run(&owner, "USE", "Acme")
            let joiners = "a" + String(repeating: "\u{200D}", count: 100_000)
            #expect(joiners.count == 1)
            let name = JSONValue.object([("name", .string(joiners)), ("phone", .string("+1 650 253 0003"))]).serialized
            let reply = await store.run(&owner, "CONTACT.ADD", name)
            #expect(helpers.code(reply) == "INVALID_FIELD")
            #expect(reply.errorMessage?.contains("1 KiB") == true)
            let notes = JSONValue.object([("name", .string("Ann")), ("phone", .string("+1 650 253 0003")),
                                          ("notes", .string(String(repeating: "é", count: 40_000)))]).serialized
            #expect(helpers.code(await store.run(&owner, "CONTACT.ADD", notes)) == "INVALID_FIELD", "80,000 bytes of notes")
            let tag = JSONValue.object([("name", .string("Ann")), ("phone", .string("+1 650 253 0003")),
                                        ("tags", .array([.string("x" + String(repeating: "\u{301}", count: 1000))]))]).serialized
            #expect(helpers.code(await store.run(&owner, "CONTACT.ADD", tag)) == "INVALID_FIELD")
            #expect(helpers.code(await store.run(&owner, "DEPT.CREATE", joiners)) == "BAD_REQUEST")
            let count = try helpers.json(await store.run(&owner, "CONTACT.COUNT"))
            #expect(count["active"] == .integer(0))
        }
    }

    @Test func bulkEditValidatesTagsOnceLikeEveryOtherPath() async throws {
        try await withStore { store in
            var (owner, _, _, _, _) = try await helpers.populate(store)
            _ = await store.run(&owner, "USE", "Acme")
            _ = try helpers.json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+1 650 253 0000","tags":["VIP"]}"#))
            let long = String(repeating: "x", count: 5_000)
            let reply = await store.run(&owner, "CONTACT.BULKEDIT", "IDS", "1", "DO", "ADDTAGS", long)
            #expect(helpers.code(reply) == "INVALID_FIELD")
            let many = (0..<200).map { "t\($0)" }.joined(separator: ",")
            #expect(helpers.code(await store.run(&owner, "CONTACT.BULKEDIT", "IDS", "1", "DO", "ADDTAGS", many)) == "WRONG_ARGS")
            let contact = try helpers.json(await store.run(&owner, "CONTACT.GET", "1"))
            #expect(contact["tags"] == .array([.string("VIP")]))
            // A rename cannot create a tag with a comma, which filters would split.
            #expect(helpers.code(await store.run(&owner, "TAG.RENAME", "VIP", "a,b")) == "INVALID_FIELD")
            #expect(helpers.code(await store.run(&owner, "IMPORT.SETTINGS", "auto_tag", String(repeating: "{date}", count: 15))) == "BAD_REQUEST")
        }
    }

    // MARK: Import reports

    @Test func shortRowsOfAWideFileGiveBoundedErrors() async throws {
        try await withStore { store in
            var (owner, _, _, _, _) = try await helpers.populate(store)
            _ = await store.run(&owner, "USE", "Acme")
            // 1,000 columns (the most a file may have), then 2,000 one-cell rows.
            let header = (["Name", "Phone"] + (3...1000).map { "Column number \($0)" }).joined(separator: ",")
            let csv = header + "\n" + String(repeating: "x\n", count: 2_000)
            let clock = ContinuousClock()
            let started = clock.now
            let reply = await store.run(&owner, "IMPORT.VALIDATE", "CSV", csv)
            #expect(clock.now - started < .seconds(30))
            guard let text = (reply).string else {
                Issue.record("validate failed: \(reply)")
                return
            }
            #expect(text.utf8.count < 1_000_000, "the report does not repeat the header per row")
            #expect(text.contains("expected 1000 columns, found 1"))
            // A header wider than any contact list is refused while reading.
            let wide = (1...100_000).map { "c\($0)" }.joined(separator: ",") + "\n"
            let refused = await store.run(&owner, "IMPORT.VALIDATE", "CSV", wide + String(repeating: "x\n", count: 2_000))
            #expect(helpers.code(refused) == "MALFORMED_CSV")
            #expect((refused.errorMessage?.utf8.count ?? .max) < 500)
        }
    }

    @Test func rowLimitIsEnforcedWhileReading() throws {
        let csv = "Name,Phone\n" + String(repeating: "a,1\n", count: 50)
        #expect(throws: CallsheetError.self) { try CSVReader.read(Array(csv.utf8), maxRows: 10) }
        #expect(try CSVReader.read(Array(csv.utf8), maxRows: 50).records.count == 50)
    }

    // MARK: Journal records

    @Test func oversizedChangeSetIsRefusedBeforeItIsEncodedWhole() {
        let contacts = (1...1_000).map { id in
            Change.putContact(Contact(id: UInt64(id), organizationID: 1, departmentID: 1, createdByUserID: 1,
                                      name: String(repeating: "n", count: 200), phone: "+1650253\(1000 + id)", createdAt: 0, updatedAt: 0))
        }
        let set = ChangeSet(organizationID: 1, changes: contacts)
        #expect(RecordCodec.encode(set, limit: 10_000) == nil)
        #expect(RecordCodec.encode(set, limit: .max) == RecordCodec.encode(set))
    }

    // MARK: REPL history and logs

    @Test func secretsStayOutOfHistoryAndLogs() {
        #expect(!CommandCatalog.keepsInHistory("AUTH alice s3cret"))
        #expect(!CommandCatalog.keepsInHistory("  auth alice s3cret"))
        #expect(!CommandCatalog.keepsInHistory("\"AUTH\" alice s3cret"))
        #expect(!CommandCatalog.keepsInHistory("HELLO 2 AUTH alice s3cret"))
        #expect(CommandCatalog.keepsInHistory("CONTACT.GET 1"))
        #expect(LogText.escaped("eve\nINFO forged line") == "eve\\nINFO forged line")
        #expect(!LogText.escaped("a\u{0}b\u{1B}[31m\r").contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }))
        #expect(LogText.escaped(String(repeating: "x", count: 10_000)).count <= 257)
    }
}

extension RESPValue {
    /// The message of an error reply, without its code.
    var errorMessage: String? {
        guard case .error(let text) = self, let space = text.firstIndex(of: " ") else { return nil }
        return String(text[text.index(after: space)...])
    }
}
