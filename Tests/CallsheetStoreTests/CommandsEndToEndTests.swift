import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// Commands end to end through the executor on a real data directory, across restarts: bulk
/// deletes, field deletion, presets of deleted users, and which role may run which command.
@Suite struct CommandsEndToEndTests {
    /// A data directory in a temporary folder with Sales (2) and Support (3), managers `bob`
    /// (Sales) and `carol` (Support), agent `dave` (Sales). Reopens from disk like a restart.
    final class Store {
        let path: String
        var directory: ShardDirectory
        var executor: CommandExecutor
        var owner = Session(isLocalOwner: true)
        var secrets: [String: String] = [:]

        /// Duplicate scan jobs wait for it when set (``StoreConfiguration/duplicateScanGate``).
        let scanGate: DuplicateScanGate?

        init(scanGate: DuplicateScanGate? = nil) async throws {
            path = NSTemporaryDirectory() + "callsheet-e2e-\(UUID().uuidString)"
            self.scanGate = scanGate
            directory = try ShardDirectory.open(Self.configuration(path, scanGate: scanGate), logger: .init(label: "test"))
            executor = CommandExecutor(directory: directory)
            try #require(code(await run(["ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice"])) == nil)
            try #require(code(await run(["DEPT.CREATE", "Sales"])) == nil)
            try #require(code(await run(["DEPT.CREATE", "Support"])) == nil)
            for (name, role, dept) in [("bob", "manager", "2"), ("carol", "manager", "3"), ("dave", "agent", "2")] {
                try await createUser(name, role: role, dept: dept)
            }
        }

        static func configuration(_ path: String, scanGate: DuplicateScanGate? = nil) -> StoreConfiguration {
            var configuration = StoreConfiguration(directory: path)
            configuration.duplicateScanGate = scanGate
            configuration.snapshotEveryRecords = 0
            configuration.snapshotEverySeconds = 0
            return configuration
        }

        func createUser(_ name: String, role: String, dept: String) async throws {
            let reply = await run(["USER.CREATE", name, "ROLE", role, "DEPT", dept])
            secrets[name] = try #require(json(reply)["secret"].flatMap { if case .string(let secret) = $0 { secret } else { nil } }, "\(reply)")
        }

        /// Closes the directory and opens it again from its files.
        func reopen() async throws {
            await directory.close()
            directory = try ShardDirectory.open(Self.configuration(path, scanGate: scanGate), logger: .init(label: "test"))
            executor = CommandExecutor(directory: directory)
            owner = Session(isLocalOwner: true)
            #expect(await run(["USE", "Acme"]) == .ok)
        }

        func close() async {
            await directory.close()
            try? FileManager.default.removeItem(atPath: path)
        }

        func run(_ arguments: [String]) async -> RESPValue { await executor.execute(arguments, session: &owner) }

        func run(_ session: inout Session, _ arguments: [String]) async -> RESPValue { await executor.execute(arguments, session: &session) }

        func signIn(_ name: String) async -> Session {
            var session = Session(isLocalOwner: false)
            let reply = await executor.execute(["AUTH", name, secrets[name] ?? ""], session: &session)
            #expect(reply == .ok, "AUTH \(name): \(reply)")
            return session
        }

        /// Adds a contact as `session`'s user and returns its id.
        func add(_ session: inout Session, _ json: String) async throws -> Int {
            let reply = await run(&session, ["CONTACT.ADD", json])
            guard case .integer(let id)? = try self.json(reply)["id"] else { throw CallsheetError(.internal, "CONTACT.ADD \(json): \(reply)") }
            return Int(id)
        }

        func json(_ reply: RESPValue) throws -> JSONValue {
            guard let text = reply.string else { throw CallsheetError(.internal, "not a bulk reply: \(reply)") }
            return try JSONValue.parse(text)
        }
    }

    static func code(_ reply: RESPValue) -> String? {
        guard case .error(let text) = reply else { return nil }
        return String(text.prefix { $0 != " " })
    }

    static func phone(_ n: Int) -> String { "+1650253\(String(1000 + n))" }

    // MARK: Bulk delete

    @Test("CONTACT.BULKDELETE: STRICT, a manager's refusals, PERMANENT, and after a restart phones are free and ids not reused")
    func bulkDelete() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        var carol = await store.signIn("carol")
        var sales: [Int] = []
        for n in 1...4 { sales.append(try await store.add(&bob, #"{"name":"Sal \#(n)","phone":"\#(Self.phone(n))","tags":["Q4"]}"#)) }
        let support = try await store.add(&carol, #"{"name":"Sue","phone":"\#(Self.phone(9))","tags":["Q4"]}"#)
        let ids = "\(sales[0]),\(sales[1]),\(support)"

        // STRICT: one id out of scope refuses the whole command, and reads as a missing id.
        let strict = await store.run(&bob, ["CONTACT.BULKDELETE", "IDS", ids, "STRICT"])
        let strictMissing = await store.run(&bob, ["CONTACT.BULKDELETE", "IDS", "\(sales[0]),\(sales[1]),999", "STRICT"])
        #expect(Self.code(strict) == "CONFLICT", "\(strict)")
        #expect("\(strict)".replacingOccurrences(of: "\(support)", with: "<id>") == "\(strictMissing)".replacingOccurrences(of: "999", with: "<id>"))
        #expect(try store.json(await store.run(&bob, ["CONTACT.COUNT"])) == (try JSONValue.parse(#"{"active":4,"archived":0}"#)))

        // Without STRICT: Sales' two are archived, Support's is refused as if missing.
        let report = await store.run(&bob, ["CONTACT.BULKDELETE", "IDS", ids])
        #expect(report.string == #"{"matched":2,"changed":2,"refused":[{"id":\#(support),"reason":"no contact with id \#(support)"}],"undo_id":1}"#, "\(report)")
        #expect(try store.json(await store.run(&bob, ["CONTACT.COUNT"])) == (try JSONValue.parse(#"{"active":2,"archived":2}"#)))
        // A manager cannot delete another department's contact for good either.
        let permanentOther = await store.run(&bob, ["CONTACT.BULKDELETE", "IDS", String(support), "PERMANENT"])
        #expect(permanentOther.string == #"{"matched":0,"changed":0,"refused":[{"id":\#(support),"reason":"no contact with id \#(support)"}],"undo_id":null}"#)
        // MATCH selects active contacts in scope only: Sales' other two, not Support's Q4.
        let matched = await store.run(&bob, ["CONTACT.BULKDELETE", "MATCH", "*", "TAGS", "ANY", "Q4", "PERMANENT"])
        #expect(matched.string == #"{"matched":2,"changed":2,"refused":[],"undo_id":2}"#, "\(matched)")
        // PERMANENT by ids removes archived contacts too.
        let removed = await store.run(&bob, ["CONTACT.BULKDELETE", "IDS", "\(sales[0]),\(sales[1])", "PERMANENT"])
        #expect(removed.string == #"{"matched":2,"changed":2,"refused":[],"undo_id":3}"#, "\(removed)")
        #expect(try store.json(await store.run(&bob, ["CONTACT.COUNT"])) == (try JSONValue.parse(#"{"active":0,"archived":0}"#)))
        // An agent may not bulk delete.
        var dave = await store.signIn("dave")
        #expect(Self.code(await store.run(&dave, ["CONTACT.BULKDELETE", "IDS", String(support)])) == "FORBIDDEN")

        try await store.reopen()
        bob = await store.signIn("bob")
        carol = await store.signIn("carol")
        #expect(try store.json(await store.run(&carol, ["CONTACT.GET", String(support)]))["archived_at"] == .null, "Support's contact survived every attempt")
        for id in sales { #expect(Self.code(await store.run(["CONTACT.GET", String(id)])) == "NOT_FOUND") }
        // The phones are free again; the new contacts get new ids, never a deleted one's.
        var newIDs: [Int] = []
        for n in 1...4 { newIDs.append(try await store.add(&bob, #"{"name":"Again \#(n)","phone":"\#(Self.phone(n))"}"#)) }
        #expect(newIDs == Array((support + 1)...(support + 4)), "ids \(newIDs) after deleting \(sales) and \(support)")
        try await store.reopen()
        #expect(try store.json(await store.run(["CONTACT.BYPHONE", Self.phone(1)]))["id"] == .integer(Int64(support + 1)))
        await store.close()
    }

    // MARK: Fields

    @Test("FIELD.DELETE removes the field and its values, and stays removed after restarts")
    func fieldDeleteReplays() async throws {
        let store = try await Store()
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"score","type":"integer"}"#])) == nil)
        var ids: [Int] = []
        for n in 1...3 { ids.append(try await store.add(&store.owner, #"{"name":"F \#(n)","phone":"\#(Self.phone(n))","custom_fields":{"score":\#(n)}}"#)) }
        _ = try await store.add(&store.owner, #"{"name":"No score","phone":"\#(Self.phone(4))"}"#)
        #expect(await store.run(["FIELD.DELETE", "score"]) == .integer(3), "three contacts carried it")
        for reopenFirst in [true, false] {
            if reopenFirst { try await store.reopen() }
            #expect(Self.code(await store.run(["FIELD.GET", "score"])) == "NOT_FOUND")
            #expect(try store.json(await store.run(["FIELD.LIST"])) == .array([]))
            for id in ids {
                #expect(try store.json(await store.run(["CONTACT.GET", String(id)]))["custom_fields"] == .object([]))
            }
            #expect(Self.code(await store.run(["CONTACT.SEARCH", "*", "FIELD", "score", "SET"])) == "INVALID_FIELD")
        }
        // A new field of the same name starts empty: the old values do not come back, even after a restart.
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"score","type":"text"}"#])) == nil)
        try await store.reopen()
        for id in ids {
            #expect(try store.json(await store.run(["CONTACT.GET", String(id)]))["custom_fields"] == .object([]))
        }
        #expect(try store.json(await store.run(["CONTACT.SEARCH", "*", "FIELD", "score", "SET", "COUNT"]))["total"] == .integer(0))
        await store.close()
    }

    // MARK: Presets

    @Test("a deleted user's presets go with them, also after a restart, and a new user of the same name starts with none")
    func presetsGoWithTheirUser() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        #expect(Self.code(await store.run(&bob, ["PRESET.SAVE", "hot", "*", "TAGS", "ANY", "VIP"])) == nil)
        #expect(Self.code(await store.run(&bob, ["PRESET.SAVE", "cold", "*", "TAGS", "ANY", "Cold"])) == nil)
        #expect(try store.json(await store.run(&bob, ["PRESET.LIST"])).serialized.contains(#""name":"hot""#))
        #expect(await store.run(["USER.DELETE", "bob"]) == .ok)
        for restart in [false, true] {
            if restart { try await store.reopen() }
            try await store.createUser("bob", role: "manager", dept: "2")
            var again = await store.signIn("bob")
            #expect(try store.json(await store.run(&again, ["PRESET.LIST"])) == .array([]), "restart \(restart)")
            #expect(Self.code(await store.run(&again, ["PRESET.GET", "hot"])) == "NOT_FOUND")
            #expect(Self.code(await store.run(&again, ["CONTACT.SEARCH", "*", "PRESET", "hot"])) == "NOT_FOUND")
            #expect(await store.run(["USER.DELETE", "bob"]) == .ok)
        }
        await store.close()
    }

    // MARK: Roles

    /// An example of every command of the catalog, with arguments it accepts.
    static let examples: [String: [String]] = [
        "PING": ["PING"], "HELP": ["HELP"], "AUTH": ["AUTH", "nobody", "wrong"], "HELLO": ["HELLO", "2"], "QUIT": ["QUIT"],
        "WHOAMI": ["WHOAMI"], "USE": ["USE", "Acme"], "CLIENT": ["CLIENT", "SETNAME", "x"], "SELECT": ["SELECT", "0"],
        "COMMAND": ["COMMAND"], "ECHO": ["ECHO", "x"],
        "ORG.CREATE": ["ORG.CREATE", "Other"], "ORG.LIST": ["ORG.LIST"], "ORG.INFO": ["ORG.INFO"], "ORG.SET": ["ORG.SET", "region", "US"],
        "DEPT.CREATE": ["DEPT.CREATE", "Extra"], "DEPT.LIST": ["DEPT.LIST"], "DEPT.RENAME": ["DEPT.RENAME", "3", "Help"],
        "DEPT.DELETE": ["DEPT.DELETE", "99"], "USER.CREATE": ["USER.CREATE", "erin", "ROLE", "agent", "DEPT", "2"], "USER.LIST": ["USER.LIST"],
        "USER.DELETE": ["USER.DELETE", "nobody"], "USER.RESETSECRET": ["USER.RESETSECRET", "nobody"],
        "USER.SETROLE": ["USER.SETROLE", "nobody", "agent", "DEPT", "2"],
        "CONTACT.ADD": ["CONTACT.ADD", #"{"name":"Role Test","phone":"+16502539999"}"#], "CONTACT.GET": ["CONTACT.GET", "1"],
        "CONTACT.BYPHONE": ["CONTACT.BYPHONE", "+16502531001"], "CONTACT.UPDATE": ["CONTACT.UPDATE", "1", #"{"notes":"x"}"#],
        "CONTACT.DELETE": ["CONTACT.DELETE", "999"], "CONTACT.RESTORE": ["CONTACT.RESTORE", "999"], "CONTACT.LIST": ["CONTACT.LIST"],
        "CONTACT.SEARCH": ["CONTACT.SEARCH", "sal"], "CONTACT.CALLERID": ["CONTACT.CALLERID", "1001"],
        "CONTACT.BULKEDIT": ["CONTACT.BULKEDIT", "IDS", "1", "DO", "ADDTAGS", "Seen"], "CONTACT.BULKDELETE": ["CONTACT.BULKDELETE", "IDS", "999"],
        "CONTACT.LOGCALL": ["CONTACT.LOGCALL", "1", "answered"], "CONTACT.COUNT": ["CONTACT.COUNT"],
        "FIELD.CREATE": ["FIELD.CREATE", #"{"name":"extra","type":"text"}"#], "FIELD.LIST": ["FIELD.LIST"], "FIELD.GET": ["FIELD.GET", "score"],
        "FIELD.UPDATE": ["FIELD.UPDATE", "score", #"{"label":"Score"}"#], "FIELD.REORDER": ["FIELD.REORDER", "score"],
        "FIELD.ARCHIVE": ["FIELD.ARCHIVE", "nofield"], "FIELD.UNARCHIVE": ["FIELD.UNARCHIVE", "nofield"], "FIELD.DELETE": ["FIELD.DELETE", "nofield"],
        "TAG.LIST": ["TAG.LIST"], "TAG.RENAME": ["TAG.RENAME", "Nosuch", "Other"], "TAG.MERGE": ["TAG.MERGE", "Nosuch", "INTO", "Other"],
        "TAG.DELETE": ["TAG.DELETE", "Nosuch"],
        "PRESET.SAVE": ["PRESET.SAVE", "mine", "*"], "PRESET.LIST": ["PRESET.LIST"], "PRESET.GET": ["PRESET.GET", "mine"],
        "PRESET.RENAME": ["PRESET.RENAME", "nopreset", "other"], "PRESET.DELETE": ["PRESET.DELETE", "nopreset"],
        "SNAPSHOT": ["SNAPSHOT"], "INFO": ["INFO"], "SLOWLOG": ["SLOWLOG", "GET"], "CONFIG": ["CONFIG", "RESETSTAT"], "COMPACT": ["COMPACT"], "BACKUP": ["BACKUP", "/tmp/callsheet-role-test.csbackup"],
        "IMPORT.PREVIEW": ["IMPORT.PREVIEW", "CSV", "Name,Phone\nA,+16502538888\n"],
        "IMPORT.VALIDATE": ["IMPORT.VALIDATE", "CSV", "Name,Phone\nA,+16502538888\n"],
        "IMPORT.COMMIT": ["IMPORT.COMMIT", "CSV", "Name,Phone\nA,+16502538888\n"],
        "IMPORT.START": ["IMPORT.START", "CSV", "Name,Phone\nB,+16502538887\n"],
        "IMPORT.STATUS": ["IMPORT.STATUS", "999"], "IMPORT.ERRORS": ["IMPORT.ERRORS", "999"], "IMPORT.CANCEL": ["IMPORT.CANCEL", "999"],
        "IMPORT.JOBS": ["IMPORT.JOBS"], "IMPORT.SETTINGS": ["IMPORT.SETTINGS"], "CONTACT.BULK": ["CONTACT.BULK", "[]"],
        "DUP.SETTINGS": ["DUP.SETTINGS"], "DUP.CHECK": ["DUP.CHECK", #"{"name":"Sal"}"#], "DUP.SCAN": ["DUP.SCAN"],
        "DUP.STATUS": ["DUP.STATUS", "999"], "DUP.CANCEL": ["DUP.CANCEL", "999"], "DUP.GROUPS": ["DUP.GROUPS"], "DUP.IGNORE": ["DUP.IGNORE", "1", "999"], "CONTACT.MERGE": ["CONTACT.MERGE", "1", "999"],
        "CONTACT.UNMERGE": ["CONTACT.UNMERGE", "999"], "MERGE.LOG": ["MERGE.LOG"], "UNDO": ["UNDO", "999"], "UNDO.LIST": ["UNDO.LIST"],
        "IMPORT.REVERT": ["IMPORT.REVERT", "999"],
        "CALL.LOG": ["CALL.LOG", "1", #"{"outcome":"completed","duration":30}"#], "CALL.HISTORY": ["CALL.HISTORY", "1"], "CALL.LIST": ["CALL.LIST"],
        "DNC.ADD": ["DNC.ADD", "contact:999"], "DNC.REMOVE": ["DNC.REMOVE", "contact:999"], "DNC.CHECK": ["DNC.CHECK", "+16502531001"],
        "DNC.LIST": ["DNC.LIST"], "DNC.IMPORT": ["DNC.IMPORT", "phone\n+16502537777\n"],
        "CONSENT.SET": ["CONSENT.SET", "999", "phone", "any", "GRANTED"], "CONSENT.HISTORY": ["CONSENT.HISTORY", "1"],
        "CONTACT.PROTECT": ["CONTACT.PROTECT", "999"], "CAMPAIGN.CREATE": ["CAMPAIGN.CREATE", "Role test"],
        "CAMPAIGN.ADD": ["CAMPAIGN.ADD", "999", "IDS", "1"], "CAMPAIGN.REMOVE": ["CAMPAIGN.REMOVE", "999", "IDS", "1"],
        "CAMPAIGN.START": ["CAMPAIGN.START", "999"], "CAMPAIGN.PAUSE": ["CAMPAIGN.PAUSE", "999"], "CAMPAIGN.END": ["CAMPAIGN.END", "999"],
        "CAMPAIGN.LIST": ["CAMPAIGN.LIST"], "CAMPAIGN.MEMBERS": ["CAMPAIGN.MEMBERS", "999"],
        "RETENTION.SET": ["RETENTION.SET", "inactive_days", "off"], "RETENTION.SHOW": ["RETENTION.SHOW"], "RETENTION.PREVIEW": ["RETENTION.PREVIEW"],
        "RETENTION.RUN": ["RETENTION.RUN"], "CONTACT.ERASE": ["CONTACT.ERASE", "999"], "ERASURE.LIST": ["ERASURE.LIST"],
        "CONTACT.EXPORTDATA": ["CONTACT.EXPORTDATA", "999"],
        "EXPORT.START": ["EXPORT.START", "csv"], "EXPORT.STATUS": ["EXPORT.STATUS", "999"], "EXPORT.FETCH": ["EXPORT.FETCH", "999"],
        "EXPORT.CANCEL": ["EXPORT.CANCEL", "999"], "EXPORT.JOBS": ["EXPORT.JOBS"],
    ]

    @Test("every command of the catalog: an agent and a manager may run exactly those their access allows", arguments: ["dave", "bob"])
    func rolesFollowTheCatalog(user: String) async throws {
        let store = try await Store()
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"score","type":"integer"}"#])) == nil)
        var bob = await store.signIn("bob")
        _ = try await store.add(&bob, #"{"name":"Sal","phone":"+16502531001"}"#)
        let session = await store.signIn(user)
        guard let role = session.caller?.role else { return }
        for spec in CommandCatalog.all {
            guard let arguments = Self.examples[spec.name] else {
                Issue.record("no example of \(spec.name): add one so its access is checked")
                continue
            }
            var copy = session
            let reply = await store.run(&copy, arguments)
            let code = Self.code(reply)
            switch spec.access {
            case .owner:
                #expect(code == "FORBIDDEN", "\(spec.name) over a network session: \(reply)")
            case .role(let needed) where role < needed:
                #expect(code == "FORBIDDEN", "\(user) (\(role)) ran \(spec.name), which needs \(needed): \(reply)")
            default:
                #expect(code != "FORBIDDEN" && code != "NOAUTH", "\(user) (\(role)) may run \(spec.name): \(reply)")
            }
        }
        // What docs/PROTOCOL.md promises agents ("Roles and scope"), besides connection commands.
        let agentCommands = Set(CommandCatalog.all.filter { $0.access == .role(.agent) || ($0.access == .signedIn && $0.group != "connection") }.map(\.name))
        #expect(agentCommands == [
            "CONTACT.GET", "CONTACT.BYPHONE", "CONTACT.CALLERID", "FIELD.LIST", "FIELD.GET", "ORG.INFO", "INFO",
            "CONTACT.LOGCALL", "CALL.LOG", "CALL.HISTORY", "DNC.CHECK", "DNC.LIST", "CONSENT.HISTORY", "CAMPAIGN.LIST", "CAMPAIGN.MEMBERS",
        ])
        // Nothing an agent was refused changed anything: bob's contact is as it was, but for the
        // calls it logged (the one write an agent has).
        let contact = try store.json(await store.run(["CONTACT.GET", "1"]))
        if role == .agent {
            #expect(contact["notes"] == .null && contact["tags"] == .array([]), "\(contact.serialized)")
            let history = try store.json(await store.run(["CALL.HISTORY", "1"]))
            guard case .array(let calls)? = history["calls"] else { Issue.record("no calls in \(history.serialized)"); return }
            #expect(contact["total_calls"] == .integer(Int64(calls.count)))
            #expect(try store.json(await store.run(["CONTACT.COUNT"])) == (try JSONValue.parse(#"{"active":1,"archived":0}"#)))
        }
        await store.close()
    }
}
