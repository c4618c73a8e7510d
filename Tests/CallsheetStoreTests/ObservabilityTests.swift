import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// `INFO` in Redis's format, `INFO commandstats|errorstats|latencystats`, `SLOWLOG` and
/// `CONFIG RESETSTAT` through the executor, as the REPL and the server run them.
@Suite struct ObservabilityTests {
    final class Store: Sendable {
        let path: String
        let directory: ShardDirectory
        let executor: CommandExecutor

        init(slowLogThreshold: Int64 = 0, slowLogLength: Int = 128) throws {
            path = NSTemporaryDirectory() + "callsheet-observability-\(UUID().uuidString)"
            var configuration = StoreConfiguration(directory: path)
            configuration.slowLogThresholdMicroseconds = slowLogThreshold
            configuration.slowLogMaxLength = slowLogLength
            directory = try ShardDirectory.open(configuration, logger: .init(label: "test"))
            executor = CommandExecutor(directory: directory)
        }

        func close() async {
            await directory.close()
            try? FileManager.default.removeItem(atPath: path)
        }

        func run(_ session: inout Session, _ arguments: String...) async -> RESPValue {
            await executor.execute(arguments, session: &session)
        }

        /// Signs in over a fresh session, as a TCP connection would.
        func signIn(_ user: String, _ secret: String, address: String = "127.0.0.1:5000") async throws -> Session {
            var session = Session(isLocalOwner: false)
            session.clientAddress = address
            try #require(await run(&session, "AUTH", user, secret) == .ok)
            return session
        }
    }

    /// Two organizations: Acme (admin alice, manager bob in Sales) and Other (admin olga).
    func populate(_ store: Store) async throws -> (owner: Session, alice: Session, bob: Session, olga: Session, dave: Session) {
        var owner = Session(isLocalOwner: true)
        func secret(_ reply: RESPValue) throws -> String {
            guard case .string(let secret)? = try JSONValue.parse(reply.string ?? "")["secret"] else { throw CallsheetError(.internal, "no secret in \(reply)") }
            return secret
        }
        let alice = try secret(await store.run(&owner, "ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice"))
        _ = await store.run(&owner, "DEPT.CREATE", "Sales")
        let bob = try secret(await store.run(&owner, "USER.CREATE", "bob", "ROLE", "manager", "DEPT", "2"))
        let dave = try secret(await store.run(&owner, "USER.CREATE", "dave", "ROLE", "agent", "DEPT", "2"))
        let olga = try secret(await store.run(&owner, "ORG.CREATE", "Other", "REGION", "US", "ADMIN", "olga"))
        return (owner, try await store.signIn("alice", alice, address: "10.0.0.1:4000"), try await store.signIn("bob", bob),
                try await store.signIn("olga", olga, address: "10.0.0.2:4000"), try await store.signIn("dave", dave))
    }

    /// `INFO`'s text as redis-py reads it: section → key → value.
    func sections(_ reply: RESPValue) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        var section = ""
        for line in (reply.string ?? "").components(separatedBy: "\r\n") where !line.isEmpty {
            if line.hasPrefix("# ") {
                section = String(line.dropFirst(2)).lowercased()
                result[section] = [:]
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { result[section, default: [:]][String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    func fields(_ value: String?) -> [String: Double] {
        var result: [String: Double] = [:]
        for pair in (value ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = Double(parts[1]) }
        }
        return result
    }

    @Test("INFO answers Redis's sections with CRLF lines; INFO JSON the JSON object; an unknown section is WRONG_ARGS")
    func infoFormat() async throws {
        let store = try Store()
        defer { Task { await store.close() } }
        var (owner, alice, bob, _, _) = try await populate(store)
        _ = await store.run(&alice, "CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502530001","department_id":2}"#)
        let text = await store.run(&owner, "INFO")
        let raw = try #require(text.string)
        #expect(raw.hasPrefix("# Server\r\n"), "\(raw)")
        #expect(!raw.contains("\n\n") && !raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        let info = sections(text)
        #expect(Set(info.keys) == ["server", "clients", "memory", "persistence", "stats", "contacts"], "\(info.keys)")
        #expect(info["server"]?["callsheet_version"] == CallsheetVersion.current)
        #expect(info["contacts"]?["organizations"] == "2" && info["contacts"]?["contacts_total"] == "1", "\(info)")
        #expect(fields(info["contacts"]?["org1"])["contacts"] == 1, "\(info)")
        #expect(info["persistence"]?["journal_healthy"] == "1")
        #expect(Int(info["stats"]?["total_commands_processed"] ?? "") ?? 0 >= 8)

        let json = try JSONValue.parse(try #require(await store.run(&owner, "INFO", "JSON").string))
        #expect(json["organizations"] == .integer(2))
        let one = sections(await store.run(&owner, "INFO", "CLIENTS", "commandstats"))
        #expect(Set(one.keys) == ["clients", "commandstats"], "\(one.keys)")
        #expect(Set(sections(await store.run(&owner, "INFO", "all")).keys).isSuperset(of: ["commandstats", "errorstats", "latencystats", "server"]))
        guard case .error(let error) = await store.run(&owner, "INFO", "keyspacez") else { Issue.record("an unknown section is an error"); return }
        #expect(error.hasPrefix("WRONG_ARGS") && error.contains("commandstats"), "\(error)")

        // A tenant reads their organization only: no memory, no other organization, no server path.
        let tenant = sections(await store.run(&alice, "INFO", "all"))
        #expect(tenant["memory"] == nil && tenant["server"]?["data_directory"] == nil && tenant["contacts"]?["organizations"] == nil, "\(tenant)")
        #expect(tenant["contacts"]?.keys.sorted() == ["org1"], "\(tenant)")
        // A manager reads health and their department's count, not the command figures.
        let manager = sections(await store.run(&bob, "INFO", "all"))
        #expect(manager["commandstats"] == nil && manager["latencystats"] == nil && manager["errorstats"] == nil, "\(manager.keys)")
        #expect(fields(manager["contacts"]?["org1"])["contacts"] == 1, "\(manager)")
    }

    @Test("INFO commandstats counts calls, microseconds, refused and failed calls per organization; errorstats by code; latencystats p50 ≤ p99 ≤ p99.9")
    func commandStatistics() async throws {
        let store = try Store()
        defer { Task { await store.close() } }
        var (owner, alice, _, olga, dave) = try await populate(store)
        for index in 0..<5 { _ = await store.run(&alice, "CONTACT.ADD", #"{"name":"Person \#(index)","phone":"+1650253100\#(index)","department_id":2}"#) }
        _ = await store.run(&alice, "CONTACT.GET", "999")  // ran, failed: NOT_FOUND
        _ = await store.run(&dave, "CONTACT.ADD", #"{"name":"Nope","phone":"+16502539999"}"#)  // refused: an agent
        _ = await store.run(&alice, "CONTACT.GET", "1", "2")  // refused: wrong arguments
        // Pipelined lookups answered in one visit count one call each.
        let replies = await store.executor.execute(batch: [["CONTACT.GET", "1"], ["CONTACT.GET", "2"], ["CONTACT.BYPHONE", "+16502531003"], ["CONTACT.GET", "404"]], session: &alice)
        #expect(replies.count == 4 && replies[3].isErrorReply)
        _ = await store.run(&olga, "CONTACT.ADD", #"{"name":"Elsewhere","phone":"+16502532000"}"#)

        let acme = sections(await store.run(&alice, "INFO", "commandstats", "errorstats", "latencystats"))
        let add = fields(acme["commandstats"]?["cmdstat_contact.add"])
        #expect(add["calls"] == 6 && add["rejected_calls"] == 1 && add["failed_calls"] == 0, "\(acme)")
        #expect((add["usec"] ?? 0) > 0 && abs((add["usec_per_call"] ?? 0) - (add["usec"] ?? 0) / 6) < 0.01, "\(add)")
        let get = fields(acme["commandstats"]?["cmdstat_contact.get"])
        #expect(get["calls"] == 5 && get["failed_calls"] == 2 && get["rejected_calls"] == 1, "\(acme)")
        #expect(fields(acme["commandstats"]?["cmdstat_contact.byphone"])["calls"] == 1)
        #expect(fields(acme["errorstats"]?["errorstat_NOT_FOUND"])["count"] == 2, "\(acme)")
        #expect(fields(acme["errorstats"]?["errorstat_FORBIDDEN"])["count"] == 1, "\(acme)")
        let latency = fields(acme["latencystats"]?["latency_percentiles_usec_contact.add"])
        let (p50, p99, p999) = (latency["p50"] ?? -1, latency["p99"] ?? -1, latency["p99.9"] ?? -1)
        #expect(p50 > 0 && p50 <= p99 && p99 <= p999, "\(latency)")
        // The other organization's admin sees their one call, not Acme's.
        let other = sections(await store.run(&olga, "INFO", "commandstats"))
        #expect(fields(other["commandstats"]?["cmdstat_contact.add"])["calls"] == 1, "\(other)")
        #expect(other["commandstats"]?["cmdstat_contact.get"] == nil, "\(other)")
        // The owner sees the whole server.
        let all = sections(await store.run(&owner, "INFO", "commandstats"))
        #expect(fields(all["commandstats"]?["cmdstat_contact.add"])["calls"] == 7, "\(all)")

        // CONFIG RESETSTAT: the owner's alone; it clears the figures.
        #expect(await store.run(&alice, "CONFIG", "RESETSTAT").isErrorReply)
        #expect(await store.run(&owner, "CONFIG", "GET", "maxmemory").isErrorReply)
        #expect(await store.run(&owner, "CONFIG", "RESETSTAT") == .ok)
        let cleared = sections(await store.run(&owner, "INFO", "commandstats", "errorstats"))
        #expect(cleared["commandstats"]?.keys.allSatisfy { $0 == "cmdstat_config" } == true, "\(cleared)")
        #expect(cleared["errorstats"]?.isEmpty == true, "\(cleared)")
    }

    @Test("a pipelined run of lookups counts each: refused while parsing (rejected), failed while answering, or ok")
    func pipelinedLookupOutcomes() async throws {
        let store = try Store()
        defer { Task { await store.close() } }
        var (_, alice, _, _, _) = try await populate(store)
        _ = await store.run(&alice, "CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502530001"}"#)
        let replies = await store.executor.execute(
            batch: [["contact.get", "1"], ["CONTACT.GET", "not-a-number"], ["CONTACT.GET", "404"], ["CONTACT.BYPHONE", "+16502530001"]], session: &alice)
        #expect(replies.count == 4 && !replies[0].isErrorReply && replies[1].isErrorReply && replies[2].isErrorReply && !replies[3].isErrorReply)
        let stats = sections(await store.run(&alice, "INFO", "commandstats", "errorstats"))
        let get = fields(stats["commandstats"]?["cmdstat_contact.get"])
        #expect(get["calls"] == 3 && get["rejected_calls"] == 1 && get["failed_calls"] == 1, "\(stats)")
        #expect(fields(stats["commandstats"]?["cmdstat_contact.byphone"])["calls"] == 1, "\(stats)")
        #expect(fields(stats["errorstats"]?["errorstat_WRONG_ARGS"])["count"] == 1 && fields(stats["errorstats"]?["errorstat_NOT_FOUND"])["count"] == 1, "\(stats)")
    }

    @Test("SLOWLOG keeps commands over the threshold newest first, redacts AUTH's secret and uploads, cuts long arguments, and scopes entries to their organization")
    func slowLog() async throws {
        let began = Int64(Date().timeIntervalSince1970)
        let store = try Store(slowLogThreshold: 0, slowLogLength: 64)
        defer { Task { await store.close() } }
        var (owner, alice, bob, olga, _) = try await populate(store)
        let long = String(repeating: "é", count: 100)  // 200 bytes
        _ = await store.run(&alice, "CONTACT.SEARCH", long)
        let csv = "Name,Phone\nAnn,+16502530001\n"
        _ = await store.run(&alice, "IMPORT.PREVIEW", "CSV", csv)
        var many = ["CONTACT.SEARCH"]
        many += (0..<40).map { "w\($0)" }
        _ = await store.executor.execute(many, session: &alice)
        _ = await store.run(&olga, "PING")

        guard case .array(let entries) = await store.run(&alice, "SLOWLOG", "GET", "100") else { Issue.record("SLOWLOG GET is an array"); return }
        let decoded = entries.compactMap { entry -> (id: Int64, time: Int64, micros: Int64, arguments: [String], address: String, user: String)? in
            guard case .array(let parts) = entry, parts.count == 6, case .integer(let id) = parts[0], case .integer(let time) = parts[1],
                  case .integer(let micros) = parts[2], case .array(let arguments) = parts[3] else { return nil }
            return (id, time, micros, arguments.compactMap(\.string), parts[4].string ?? "", parts[5].string ?? "")
        }
        #expect(decoded.count == entries.count && !decoded.isEmpty)
        #expect(decoded.map(\.id) == decoded.map(\.id).sorted(by: >), "newest first")
        // Acme's entries: alice's, and the owner's set-up of Acme; never olga's.
        #expect(decoded.allSatisfy { ["alice", "bob", "dave", "owner"].contains($0.user) }, "alice reads Acme's entries only: \(decoded)")
        #expect(decoded.filter { $0.user == "alice" }.allSatisfy { $0.address == "10.0.0.1:4000" }, "\(decoded)")
        #expect(decoded.contains { $0.user == "alice" })
        // Unix seconds of when each command ran: within this test's run, however long a loaded
        // machine makes it.
        let ended = Int64(Date().timeIntervalSince1970)
        #expect(decoded.allSatisfy { $0.time >= began - 1 && $0.time <= ended + 1 })
        let auth = try #require(decoded.first { $0.arguments.first == "AUTH" && $0.user == "alice" })
        #expect(auth.arguments == ["AUTH", "alice", "(redacted)"], "\(auth)")
        let cut = try #require(decoded.first { $0.arguments.count == 2 && $0.arguments[0] == "CONTACT.SEARCH" })
        #expect(cut.arguments[1] == String(repeating: "é", count: 64) + "... (72 more bytes)", "\(cut.arguments)")
        let upload = try #require(decoded.first { $0.arguments.first == "IMPORT.PREVIEW" })
        #expect(upload.arguments == ["IMPORT.PREVIEW", "CSV", "(\(csv.utf8.count) bytes)"], "\(upload.arguments)")
        let wide = try #require(decoded.first { $0.arguments.count == 32 })
        #expect(wide.arguments.last == "... (10 more arguments)" && wide.arguments[30] == "w29", "\(wide.arguments)")
        #expect(!decoded.contains { $0.arguments.joined().contains("+16502530001") }, "an upload's cells are not kept")

        // Lengths and resets are per organization for an admin; the owner's cover everything.
        guard case .integer(let aliceLength) = await store.run(&alice, "SLOWLOG", "LEN"),
              case .integer(let allLength) = await store.run(&owner, "SLOWLOG", "LEN") else { Issue.record("SLOWLOG LEN is an integer"); return }
        #expect(Int(aliceLength) == decoded.count + 1 && allLength > aliceLength, "the GET itself is logged too")
        #expect(await store.run(&bob, "SLOWLOG", "GET").isErrorReply, "a manager may not read the slow log")
        #expect(await store.run(&alice, "SLOWLOG", "RESET") == .ok)
        guard case .array(let olgas) = await store.run(&olga, "SLOWLOG", "GET", "-1") else { Issue.record("array"); return }
        #expect(olgas.contains { flat($0).contains("PING") }, "another organization's entries stay: \(olgas)")
        guard case .array(let after) = await store.run(&alice, "SLOWLOG", "GET") else { Issue.record("array"); return }
        #expect(after.allSatisfy { entry in
            guard case .array(let parts) = entry, case .array(let arguments) = parts[3] else { return false }
            return arguments.first?.string == "SLOWLOG"
        }, "after RESET only the GET itself: \(after)")
        #expect(await store.run(&alice, "SLOWLOG", "GET", "x").isErrorReply)
        #expect(await store.run(&alice, "SLOWLOG", "FLUSH").isErrorReply)

        // An erasure drops its organization's entries: they may quote the person.
        let added = try JSONValue.parse(try #require(await store.run(&alice, "CONTACT.ADD", #"{"name":"Erin Gone","phone":"+16502537711"}"#).string))
        guard case .integer(let erinID)? = added["id"] else { Issue.record("no id: \(added)"); return }
        _ = await store.run(&alice, "CONTACT.SEARCH", "Erin Gone")
        #expect(!(await store.run(&alice, "CONTACT.ERASE", "\(erinID)")).isErrorReply)
        guard case .array(let afterErasure) = await store.run(&alice, "SLOWLOG", "GET", "-1") else { Issue.record("array"); return }
        #expect(!afterErasure.contains { flat($0).contains("Erin") || flat($0).contains("7711") }, "\(afterErasure)")

        // The ring keeps the newest 64.
        for _ in 0..<100 { _ = await store.run(&owner, "PING") }
        guard case .integer(let capped) = await store.run(&owner, "SLOWLOG", "LEN") else { Issue.record("integer"); return }
        #expect(capped == 64)
    }

    @Test("with the default 10 ms threshold a deliberately slow SORT over many contacts is logged and nothing faster than the threshold is")
    func slowSortIsLogged() async throws {
        let store = try Store(slowLogThreshold: 10_000)
        defer { Task { await store.close() } }
        var (_, alice, _, _, _) = try await populate(store)
        var batch: [String] = []
        // Names of words no two contacts share, so the duplicate check stays cheap.
        func word(_ number: Int) -> String {
            var number = number
            var letters = ""
            for _ in 0..<5 {
                letters.append(Array("bcdfghjklmnpqrstvwxz")[number % 20])
                number /= 20
            }
            return letters.capitalized
        }
        for index in 0..<4_000 {
            batch.append(#"{"name":"\#(word(index)) \#(word(3_000_000 + index))","phone":"+1650\#(String(2_000_000 + index))"}"#)
            if batch.count == 1_000 {
                #expect(!(await store.run(&alice, "CONTACT.BULK", "[\(batch.joined(separator: ","))]")).isErrorReply)
                batch.removeAll()
            }
        }
        for _ in 0..<3 { _ = await store.run(&alice, "CONTACT.SEARCH", "*", "SORT", "name", "DESC", "LIMIT", "1000") }
        guard case .array(let entries) = await store.run(&alice, "SLOWLOG", "GET", "-1") else { Issue.record("array"); return }
        let sorts = entries.filter { flat($0).contains("SORT") }
        #expect(!sorts.isEmpty, "\(entries)")
        for entry in entries {
            guard case .array(let parts) = entry, case .integer(let micros) = parts[2] else { continue }
            #expect(micros >= 10_000, "\(entry)")
        }
    }
}

/// Every text in a reply, joined: what an entry says, for matching.
private func flat(_ value: RESPValue) -> String {
    switch value {
    case .array(let items): items.map(flat).joined(separator: " ")
    case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
    case .simpleString(let text), .error(let text): text
    case .integer(let number): String(number)
    default: ""
    }
}

extension RESPValue {
    fileprivate var isErrorReply: Bool {
        if case .error = self { return true }
        return false
    }
}
