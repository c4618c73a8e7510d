import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// The command language end to end through the executor, as the REPL and the server call it.
@Suite struct ExecutorTests {
    /// A data directory in a fresh temporary folder, removed afterwards.
    final class Store {
        let path: String
        let directory: ShardDirectory
        let executor: CommandExecutor

        init() throws {
            path = NSTemporaryDirectory() + "callsheet-executor-\(UUID().uuidString)"
            directory = try ShardDirectory.open(StoreConfiguration(directory: path), logger: .init(label: "test"))
            executor = CommandExecutor(directory: directory)
        }

        func close() async {
            await directory.close()
            try? FileManager.default.removeItem(atPath: path)
        }

        /// Runs one command; returns the reply.
        func run(_ session: inout Session, _ arguments: String...) async -> RESPValue {
            await executor.execute(arguments, session: &session)
        }
    }

    func json(_ reply: RESPValue) throws -> JSONValue {
        guard let text = reply.string else { throw CallsheetError(.internal, "not a bulk reply: \(reply)") }
        return try JSONValue.parse(text)
    }

    func code(_ reply: RESPValue) -> String? {
        guard case .error(let text) = reply else { return nil }
        return String(text.prefix { $0 != " " })
    }

    /// An organization with Sales (2) and Support (3), a manager and an agent in Sales; returns their secrets.
    func populate(_ store: Store) async throws -> (owner: Session, alice: String, bob: String, dave: String, carol: String) {
        var owner = Session(isLocalOwner: true)
        let created = try json(await store.run(&owner, "ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice"))
        guard case .string(let alice)? = created["secret"] else { throw CallsheetError(.internal, "no secret") }
        #expect(await store.run(&owner, "DEPT.CREATE", "Sales").string?.contains(#""id":2"#) == true)
        #expect(await store.run(&owner, "DEPT.CREATE", "Support").string?.contains(#""id":3"#) == true)
        var secrets: [String] = []
        for (name, role, department) in [("bob", "manager", "2"), ("dave", "agent", "2"), ("carol", "manager", "3")] {
            let user = try json(await store.run(&owner, "USER.CREATE", name, "ROLE", role, "DEPT", department))
            guard case .string(let secret)? = user["secret"] else { throw CallsheetError(.internal, "no secret") }
            secrets.append(secret)
        }
        return (owner, alice, secrets[0], secrets[1], secrets[2])
    }

    @Test func authenticationAndScope() async throws {
        let store = try Store()
        let (_, _, bobSecret, daveSecret, carolSecret) = try await populate(store)
        var anonymous = Session(isLocalOwner: false)
        #expect(code(await store.run(&anonymous, "CONTACT.GET", "1")) == "NOAUTH")
        #expect(await store.run(&anonymous, "PING") == .simpleString("PONG"))
        #expect(code(await store.run(&anonymous, "AUTH", "bob", "wrong")) == "AUTH_FAILED")
        #expect(code(await store.run(&anonymous, "AUTH", "nobody", "wrong")) == "AUTH_FAILED")
        // Unknown user and wrong secret read the same.
        #expect(await store.run(&anonymous, "AUTH", "bob", "wrong") == (await store.run(&anonymous, "AUTH", "nobody", "wrong")))

        var bob = Session(isLocalOwner: false)
        #expect(await store.run(&bob, "AUTH", "bob", bobSecret) == .ok)
        let added = try json(await store.run(&bob, "CONTACT.ADD", #"{"name":"Ann","phone":"(650) 253-0000","tags":["VIP"]}"#))
        #expect(added["department_id"] == .integer(2))
        #expect(added["phone"] == .string("+16502530000"))

        var carol = Session(isLocalOwner: false)
        #expect(await store.run(&carol, "AUTH", "carol", carolSecret) == .ok)
        let missing = await store.run(&carol, "CONTACT.GET", "999")
        // Every contact command on Sales' contact answers Support's manager as if it did not exist.
        for arguments in [["CONTACT.GET", "1"], ["CONTACT.UPDATE", "1", #"{"name":"X"}"#], ["CONTACT.DELETE", "1"], ["CONTACT.DELETE", "1", "PERMANENT"],
                          ["CONTACT.RESTORE", "1"], ["CONTACT.LOGCALL", "1", "completed"]] {
            let reply = await store.executor.execute(arguments, session: &carol)
            #expect(code(reply) == "NOT_FOUND", "\(arguments)")
            #expect(String(describing: reply).replacingOccurrences(of: "1", with: "999") == String(describing: missing).replacingOccurrences(of: "1", with: "999"), "\(arguments)")
        }
        #expect(code(await store.run(&carol, "CONTACT.BYPHONE", "650-253-0000")) == "NOT_FOUND")
        #expect(try json(await store.run(&carol, "CONTACT.SEARCH", "ann"))["count"] == .integer(0))
        #expect(try json(await store.run(&carol, "CONTACT.LIST"))["contacts"] == .array([]))

        var dave = Session(isLocalOwner: false)
        #expect(await store.run(&dave, "AUTH", "dave", daveSecret) == .ok)
        #expect(try json(await store.run(&dave, "CONTACT.BYPHONE", "+1 650 253 0000"))["name"] == .string("Ann"))
        for arguments in [["CONTACT.ADD", #"{"name":"X","phone":"+16502530001"}"#], ["CONTACT.UPDATE", "1", #"{"name":"X"}"#], ["CONTACT.DELETE", "1"],
                          ["CONTACT.LIST"], ["CONTACT.SEARCH", "ann"], ["TAG.LIST"], ["FIELD.CREATE", #"{"name":"x","type":"text"}"#], ["DEPT.CREATE", "X"]] {
            #expect(code(await store.executor.execute(arguments, session: &dave)) == "FORBIDDEN", "\(arguments)")
        }
        // Nothing the agent tried changed anything.
        #expect(try json(await store.run(&bob, "CONTACT.GET", "1"))["name"] == .string("Ann"))
        #expect(code(await store.run(&bob, "USE", "Acme")) == "FORBIDDEN")
        #expect(code(await store.run(&bob, "ORG.CREATE", "Other")) == "FORBIDDEN")
        await store.close()
    }

    @Test func writesSurviveReopening() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await populate(store)
        _ = await store.run(&owner, "FIELD.CREATE", #"{"name":"industry","type":"dropdown","options":["Healthcare","Finance"]}"#)
        #expect(code(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+16502530000","custom_fields":{"industry":"Mining"}}"#)) == "INVALID_FIELD")
        _ = await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+16502530000","custom_fields":{"industry":"finance"},"tags":"VIP, Q4"}"#)
        _ = await store.run(&owner, "CONTACT.ADD", #"{"name":"Bo","phone":"+16502530001"}"#)
        _ = await store.run(&owner, "CONTACT.DELETE", "2")
        _ = await store.run(&owner, "CONTACT.LOGCALL", "1", "voicemail")
        let before = try json(await store.run(&owner, "CONTACT.GET", "1"))
        let archived = try json(await store.run(&owner, "CONTACT.GET", "2"))
        // Reopen from the journal alone, then again from a snapshot. One process at a time holds
        // the directory: each store stops as a crash would before the next opens it.
        await store.directory._simulateCrash()
        for snapshotFirst in [false, true] {
            let reopened = try ShardDirectory.open(StoreConfiguration(directory: store.path), logger: .init(label: "test"))
            let executor = CommandExecutor(directory: reopened)
            var session = Session(isLocalOwner: true)
            _ = await executor.execute(["USE", "Acme"], session: &session)
            #expect(try json(await executor.execute(["CONTACT.GET", "1"], session: &session)) == before)
            #expect(try json(await executor.execute(["CONTACT.GET", "2"], session: &session)) == archived)
            #expect(code(await executor.execute(["CONTACT.ADD", #"{"name":"Cy","phone":"650.253.0000"}"#], session: &session)) == "DUPLICATE_PHONE")
            let users = try json(await executor.execute(["USER.LIST"], session: &session))
            #expect(users.serialized.contains(#""name":"carol""#))
            if let shard = await reopened.shard(1) { #expect(await shard._checkInvariants().isEmpty) }
            if !snapshotFirst { _ = await executor.execute(["SNAPSHOT"], session: &session) }
            await reopened._simulateCrash()
        }
        try? FileManager.default.removeItem(atPath: store.path)
    }

    @Test func administrationCommands() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await populate(store)
        #expect(code(await store.run(&owner, "DEPT.CREATE", "sales")) == "CONFLICT")
        #expect(code(await store.run(&owner, "DEPT.DELETE", "2")) == "CONFLICT")
        #expect(await store.run(&owner, "DEPT.RENAME", "3", "Customer Care") == .ok)
        #expect(code(await store.run(&owner, "USER.CREATE", "bob", "ROLE", "agent", "DEPT", "2")) == "CONFLICT")
        #expect(code(await store.run(&owner, "USER.CREATE", "eve", "ROLE", "agent")) == "BAD_REQUEST")
        #expect(code(await store.run(&owner, "USER.DELETE", "alice")) == "CONFLICT")
        #expect(await store.run(&owner, "USER.SETROLE", "bob", "admin") == .ok)
        #expect(await store.run(&owner, "USER.DELETE", "alice") == .ok)
        // The freed login can be taken again.
        #expect(code(await store.run(&owner, "USER.CREATE", "alice", "ROLE", "agent", "DEPT", "2")) == nil)
        let secret = await store.run(&owner, "USER.RESETSECRET", "bob")
        var bob = Session(isLocalOwner: false)
        #expect(await store.executor.execute(["AUTH", "bob", secret.string ?? ""], session: &bob) == .ok)
        #expect(await store.run(&owner, "ORG.SET", "region", "gb") == .ok)
        #expect(code(await store.run(&owner, "ORG.SET", "region", "XX")) == "BAD_REQUEST")
        #expect(try json(await store.run(&owner, "ORG.INFO"))["region"] == .string("GB"))
        #expect(try json(await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"020 7946 0000"}"#))["phone"] == .string("+442079460000"))
        #expect(code(await store.run(&owner, "ORG.CREATE", "acme")) == "CONFLICT")
        let whoami = try json(await store.run(&bob, "WHOAMI"))
        #expect(whoami["role"] == .string("admin"))
        #expect(whoami["organization"] == .string("Acme"))
        await store.close()
    }

    @Test func listPagesWithCursor() async throws {
        let store = try Store()
        var (owner, _, _, _, _) = try await populate(store)
        for index in 0..<25 {
            _ = await store.run(&owner, "CONTACT.ADD", #"{"name":"Person \#(index)","phone":"+1650253\#(String(1000 + index))"}"#)
        }
        _ = await store.run(&owner, "CONTACT.DELETE", "3")
        var cursor = "0"
        var seen: [Int64] = []
        while true {
            let page = try json(await store.run(&owner, "CONTACT.LIST", "LIMIT", "10", "CURSOR", cursor))
            guard case .array(let rows)? = page["contacts"] else { break }
            for row in rows { if case .integer(let id)? = row["id"] { seen.append(id) } }
            guard case .string(let next)? = page["next_cursor"] else { break }
            cursor = next
        }
        #expect(seen == (1...25).filter { $0 != 3 }.map(Int64.init))
        let archived = try json(await store.run(&owner, "CONTACT.LIST", "ARCHIVED"))
        #expect(archived.serialized.contains(#""id":3"#))
        #expect(try json(await store.run(&owner, "CONTACT.COUNT")) == .object([("active", .integer(24)), ("archived", .integer(1))]))
        await store.close()
    }
}


/// Search, presets, tags and bulk commands through the executor, with the replies clients see.
@Suite struct OrganizeCommandTests {
    @Test func searchPresetBulkAndTags() async throws {
        let base = ExecutorTests()
        let store = try ExecutorTests.Store()
        var (owner, _, bobSecret, daveSecret, _) = try await base.populate(store)
        for index in 0..<12 {
            let tags = index % 3 == 0 ? #"["Cold","DNC"]"# : #"["Cold"]"#
            _ = await store.run(&owner, "CONTACT.ADD", #"{"name":"Lead \#(index)","phone":"+1650253\#(String(2000 + index))","department_id":\#(2 + index % 2),"tags":\#(tags)}"#)
        }
        var bob = Session(isLocalOwner: false)
        _ = await store.executor.execute(["AUTH", "bob", bobSecret], session: &bob)
        let page = try base.json(await store.run(&bob, "CONTACT.SEARCH", "*", "TAGS", "NONE", "DNC", "SORT", "name", "DESC", "LIMIT", "2", "COUNT"))
        #expect(page["count"] == .integer(2))
        #expect(page["total"] == .integer(4))
        #expect(page["next_cursor"] != .null)
        #expect(base.code(await store.run(&bob, "CONTACT.SEARCH", "*", "FIELD", "nope", "SET")) == "INVALID_FIELD")
        #expect(await store.run(&bob, "PRESET.SAVE", "cold-callable", "*", "TAGS", "ANY", "cold", "TAGS", "NONE", "DNC").string?.contains(#""name":"cold-callable""#) == true)
        let report = try base.json(await store.run(&bob, "CONTACT.BULKEDIT", "PRESET", "cold-callable", "DO", "ADDTAGS", "Q1", "REMOVETAGS", "Cold"))
        #expect(report == .object([("matched", .integer(4)), ("changed", .integer(4)), ("refused", .array([])), ("undo_id", .integer(1))]))
        #expect(try base.json(await store.run(&bob, "CONTACT.SEARCH", "*", "TAGS", "ALL", "Q1", "COUNT"))["total"] == .integer(4))
        // STRICT: an id out of bob's department refuses the whole command.
        #expect(base.code(await store.run(&bob, "CONTACT.BULKEDIT", "IDS", "1,2", "DO", "ADDTAGS", "X", "STRICT")) == "CONFLICT")
        #expect(try base.json(await store.run(&bob, "CONTACT.SEARCH", "*", "TAGS", "ANY", "X", "COUNT"))["total"] == .integer(0))
        #expect(await store.run(&bob, "TAG.DELETE", "DNC") == .error("CONFLICT the tag 'DNC' is on 2 contacts; TAG.DELETE DNC FORCE removes it from them"))
        #expect(try base.json(await store.run(&bob, "TAG.RENAME", "Q1", "Q1-2026")) == .object([("changed", .integer(4)), ("undo_id", .integer(2))]))
        var dave = Session(isLocalOwner: false)
        _ = await store.executor.execute(["AUTH", "dave", daveSecret], session: &dave)
        let callers = try base.json(await store.run(&dave, "CONTACT.CALLERID", "2532000"))
        #expect(callers["count"] == .integer(1))
        #expect(base.code(await store.run(&dave, "CONTACT.SEARCH", "lead")) == "FORBIDDEN")
        #expect(base.code(await store.run(&dave, "TAG.RENAME", "a", "b")) == "FORBIDDEN")
        await store.close()
    }
}

/// Lookups, batched and single, show every change that touches the contact at once.
@Suite struct LookupTests {
    @Test func repliesFollowEveryChange() async throws {
        let base = ExecutorTests()
        let store = try ExecutorTests.Store()
        var (owner, _, _, daveSecret, _) = try await base.populate(store)
        _ = await store.run(&owner, "FIELD.CREATE", #"{"name":"tier","type":"text","visible_to":"all"}"#)
        _ = await store.run(&owner, "FIELD.CREATE", #"{"name":"value","type":"integer","visible_to":"manager+"}"#)
        _ = await store.run(&owner, "CONTACT.ADD", #"{"name":"Ann","phone":"+16502530000","department_id":2,"custom_fields":{"tier":"gold","value":5}}"#)
        var dave = Session(isLocalOwner: false)
        _ = await store.executor.execute(["AUTH", "dave", daveSecret], session: &dave)
        func get(_ session: inout Session) async throws -> JSONValue {
            // A pipelined pair goes through the batched path, a single request through the other.
            let pair = await store.executor.execute(batch: [["CONTACT.GET", "1"], ["CONTACT.BYPHONE", "650 253 0000"]], session: &session)
            #expect(pair[0] == pair[1])
            let single = await store.executor.execute(["CONTACT.GET", "1"], session: &session)
            #expect(single == pair[0])
            return try base.json(single)
        }
        #expect(try await get(&owner)["custom_fields"] == .object([("tier", .string("gold")), ("value", .integer(5))]))
        // Each role reads its own rendering.
        #expect(try await get(&dave)["custom_fields"] == .object([("tier", .string("gold"))]))
        _ = await store.run(&owner, "CONTACT.UPDATE", "1", #"{"name":"Ann Lee"}"#)
        #expect(try await get(&owner)["name"] == .string("Ann Lee"))
        #expect(try await get(&dave)["name"] == .string("Ann Lee"))
        _ = await store.run(&owner, "FIELD.ARCHIVE", "tier")
        #expect(try await get(&owner)["custom_fields"] == .object([("value", .integer(5))]))
        #expect(try await get(&dave)["custom_fields"] == .object([]))
        _ = await store.run(&owner, "CONTACT.DELETE", "1", "PERMANENT")
        #expect(base.code(await store.executor.execute(["CONTACT.GET", "1"], session: &dave)) == "NOT_FOUND")
        await store.close()
    }
}
