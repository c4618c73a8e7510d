import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// Department and organization scope, checked by seeded random commands against an independent
/// model (``ScopeModelRun``): every command × admin, manager of the target's department, manager
/// of another, agent × a target in the department, another department, another organization, or
/// nowhere. Reads show nothing out of scope, writes change nothing out of scope, and out-of-scope
/// answers are the very bytes a missing target gets.
///
/// `CALLSHEET_SCOPE_SEED=<n>` replays one seed (printed with every failure);
/// `CALLSHEET_SCOPE_OPS=<n>` sets the random steps per case (default 22,000; four cases, about
/// 26,000 commands each with the out-of-scope controls, so about 105,000 in all).
@Suite struct ScopeModelTests {
    static var environmentSeed: UInt64? { ProcessInfo.processInfo.environment["CALLSHEET_SCOPE_SEED"].flatMap { UInt64($0) } }
    static var operations: Int { ProcessInfo.processInfo.environment["CALLSHEET_SCOPE_OPS"].flatMap { Int($0) } ?? 22_000 }

    func run(seed: UInt64, userChanges: ScopeModelRun.UserChanges) async throws {
        let seed = Self.environmentSeed ?? seed
        let model = try ScopeModelRun(seed: seed, userChanges: userChanges)
        let started = ContinuousClock.now
        do {
            try await model.setUp()
            try await model.runOperations(Self.operations, restartEvery: max(Self.operations / 4, 500))
        } catch {
            Issue.record("seed \(seed) (CALLSHEET_SCOPE_SEED=\(seed)), step \(model.step): \(error)")
        }
        await model.close()
        let contacts = model.contacts.map(\.count)
        print("scope model: seed \(seed), \(model.operations) commands, \(model.step) steps, contacts \(contacts), \(ContinuousClock.now - started)")
        #expect(model.operations >= Self.operations, "seed \(seed): the run stopped early")
    }

    @Test("seeded scope model, departments and organizations", arguments: [UInt64(20_261_202), 7_777])
    func scopeModel(seed: UInt64) async throws {
        try await run(seed: seed, userChanges: .none)
    }

    @Test("seeded scope model with roles changed, secrets reset and users deleted and re-created")
    func scopeModelWithUserChanges() async throws {
        try await run(seed: 424_242, userChanges: .signInAgain)
    }

    @Test("seeded scope model with roles changed, secrets reset and users deleted under open sessions")
    func scopeModelWithOpenSessions() async throws {
        try await run(seed: 31_337, userChanges: .openSessions)
    }

    // MARK: The bugs the model found, pinned

    @Test("a manager's TAG.MERGE into one of its sources changes their department's contacts only")
    func tagMergeStaysInScope() async throws {
        let model = try ScopeModelRun(seed: 1, userChanges: .none)
        try await model.setUp()
        let east = 2, west = 3  // users: sm-erin manages East (2), sm-will West (3)
        let tags = #"["Cold","VIP","Hot","Lead"]"#
        let mine = await model.run(east, ["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502531000","tags":\#(tags)}"#])
        let theirs = await model.run(west, ["CONTACT.ADD", #"{"name":"Bo Chen","phone":"+16502531001","tags":\#(tags)}"#])
        let mineID = try #require(model.json(mine)?["id"]?.intValue)
        let theirID = try #require(model.json(theirs)?["id"]?.intValue)
        let steps: [([String], [String])] = [
            (["TAG.MERGE", "Cold", "VIP", "INTO", "VIP"], ["VIP", "Hot", "Lead"]),
            (["TAG.MERGE", "Hot", "Lead", "INTO", "Lead"], ["VIP", "Lead"]),
            (["TAG.RENAME", "VIP", "Gold"], ["Gold", "Lead"]),
            (["TAG.DELETE", "Lead", "FORCE"], ["Gold"]),
        ]
        for (command, after) in steps {
            let reply = await model.run(east, command)
            #expect(ScopeModelRun.withoutUndoID(reply).0 == #"{"changed":1}"#, "\(command): only the East contact changes: \(ScopeModelRun.text(reply))")
            let ours = try #require(model.json(await model.run(east, ["CONTACT.GET", String(mineID)])))
            #expect(ours["tags"] == .array(after.map { .string($0) }), "\(command): \(ours.serialized)")
            let west = try #require(model.json(await model.run(west, ["CONTACT.GET", String(theirID)])))
            #expect(west["tags"] == .array(["Cold", "VIP", "Hot", "Lead"].map { .string($0) }), "\(command): the West contact keeps its tags: \(west.serialized)")
        }
        await model.close()
    }

    @Test("CONTACT.CALLERID finds an agent's own contact however many other departments' contacts share the digits")
    func callerIDFiltersScopeBeforeTheLimit() async throws {
        let model = try ScopeModelRun(seed: 1, userChanges: .none)
        try await model.setUp()
        let eastManager = 2, westManager = 3, eastAgent = 4
        // Eight West phones, then one East phone, all ending 1000.
        for area in ScopeModelRun.areas.dropLast() {
            let reply = await model.run(westManager, ["CONTACT.ADD", #"{"name":"Bo Chen","phone":"+1\#(area)2531000"}"#])
            #expect(ScopeModelRun.code(reply) == nil, "\(ScopeModelRun.text(reply))")
        }
        let own = await model.run(eastManager, ["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+12062531000"}"#])
        let ownID = try #require(model.json(own)?["id"]?.intValue)
        for limit in ["1", "2", "10"] {
            for user in [eastAgent, eastManager] {
                let reply = await model.run(user, ["CONTACT.CALLERID", "1000", "LIMIT", limit])
                let page = try #require(model.json(reply))
                #expect(page["contacts"]?.arrayValue?.compactMap { $0["id"]?.intValue } == [ownID], "LIMIT \(limit): \(page.serialized)")
                #expect(page["count"] == .integer(1))
            }
        }
        await model.close()
    }

    @Test("ORG.INFO counts a manager's or an agent's department; CONTACT.LIST gives no cursor to a page only other departments follow")
    func countsAndCursorsStayInScope() async throws {
        let model = try ScopeModelRun(seed: 1, userChanges: .none)
        try await model.setUp()
        let admin = 0, eastManager = 2, westManager = 3, eastAgent = 4
        for n in 0..<2 { #expect(ScopeModelRun.code(await model.run(eastManager, ["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+1650253100\#(n)"}"#])) == nil) }
        for n in 2..<7 { #expect(ScopeModelRun.code(await model.run(westManager, ["CONTACT.ADD", #"{"name":"Bo Chen","phone":"+1650253100\#(n)"}"#])) == nil) }
        for (user, contacts, users, departments) in [(admin, 7, 5, 3), (eastManager, 2, 2, 1), (eastAgent, 2, 2, 1), (westManager, 5, 2, 1)] {
            let info = try #require(model.json(await model.run(user, ["ORG.INFO"])))
            #expect(info["contacts"]?.intValue == contacts && info["users"]?.intValue == users && info["departments"]?.intValue == departments,
                    "\(model.users[user].name): \(info.serialized)")
        }
        // East's two contacts fill a page of two; West's later ones must not promise a next page.
        let page = try #require(model.json(await model.run(eastManager, ["CONTACT.LIST", "LIMIT", "2"])))
        #expect(page["contacts"]?.arrayValue?.count == 2)
        #expect(page["next_cursor"] == .null, "\(page.serialized)")
        let first = try #require(model.json(await model.run(eastManager, ["CONTACT.LIST", "LIMIT", "1"])))
        #expect(first["next_cursor"] == .string("1"), "\(first.serialized)")
        await model.close()
    }
}
