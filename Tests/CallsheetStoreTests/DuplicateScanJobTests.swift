import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// `DUP.SCAN … ASYNC`, `DUP.STATUS` and `DUP.CANCEL` through the executor on a real data
/// directory: a job's life (running, done, cancelled), one running scan per scope, which jobs
/// each role sees, and the same result whether a scan ran synchronously or as a job.
@Suite struct DuplicateScanJobTests {
    typealias Store = CommandsEndToEndTests.Store

    static func code(_ reply: RESPValue) -> String? { CommandsEndToEndTests.code(reply) }

    static func integer(_ value: JSONValue?) -> Int? {
        if case .integer(let number)? = value { Int(number) } else { nil }
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { text } else { nil }
    }

    /// Likely duplicates in Sales (bob's) and in Support (carol's).
    static func fill(_ store: Store) async throws {
        var bob = await store.signIn("bob")
        var carol = await store.signIn("carol")
        _ = try await store.add(&bob, #"{"name":"John Doe","phone":"+16502530001","email":"john.doe@gmail.com"}"#)
        _ = try await store.add(&bob, #"{"name":"Jon Doe","phone":"+16502530002","email":"JohnDoe@GMail.com"}"#)
        _ = try await store.add(&bob, #"{"name":"Katherine Smith","phone":"+16502530003","company":"Acme Inc"}"#)
        _ = try await store.add(&bob, #"{"name":"Kate Smith","phone":"+16502530004","company":"ACME"}"#)
        _ = try await store.add(&bob, #"{"name":"Mary Major","phone":"+16502530005"}"#)
        _ = try await store.add(&carol, #"{"name":"Bob Stone","phone":"+16502530006","email":"bob@stone.example"}"#)
        _ = try await store.add(&carol, #"{"name":"Robert Stone","phone":"+16502530007","email":"bob@stone.example"}"#)
    }

    /// `DUP.STATUS job` until the job is no longer running.
    static func finished(_ store: Store, _ session: inout Session, job: Int) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let status = try store.json(await store.run(&session, ["DUP.STATUS", String(job)]))
            if status["state"] != .string("running") { return status }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CallsheetError(.internal, "scan job \(job) still running after 60 s")
    }

    /// A scan's reply without its time, which differs between two runs.
    static func timeless(_ value: JSONValue?) -> JSONValue? {
        guard case .object(let members)? = value else { return value }
        return .object(members.filter { $0.0 != "milliseconds" && $0.0 != "scanned_at" })
    }

    @Test("A job runs, is followed, meets a second scan of its scope with CONFLICT, is cancelled; each role sees its scope's jobs")
    func lifecycle() async throws {
        let gate = DuplicateScanGate()
        let store = try await Store(scanGate: gate)
        try await Self.fill(store)
        var bob = await store.signIn("bob")
        var carol = await store.signIn("carol")
        var dave = await store.signIn("dave")

        #expect(Self.code(await store.run(&bob, ["DUP.STATUS"])) == "NOT_FOUND", "no scan yet")
        let started = try store.json(await store.run(&bob, ["DUP.SCAN", "ASYNC"]))
        let job = try #require(Self.integer(started["job"]), "\(started)")
        #expect(started["state"] == .string("running") && started["scope"] == .string("department") && started["result"] == .null, "\(started)")
        let running = try store.json(await store.run(&bob, ["DUP.STATUS", String(job)]))
        #expect(running["state"] == .string("running"), "\(running)")
        #expect(try store.json(await store.run(&bob, ["DUP.STATUS"]))["job"] == .integer(Int64(job)), "without a job: the scope's latest")

        // One running scan per scope: a second, synchronous or not, is CONFLICT naming the first.
        for second in [["DUP.SCAN", "ASYNC"], ["DUP.SCAN"], ["DUP.SCAN", "THRESHOLD", "90", "ASYNC"]] {
            let reply = await store.run(&bob, second)
            #expect(Self.code(reply) == "CONFLICT" && reply.string?.contains("job \(job)") != false, "\(second): \(reply)")
            if case .error(let text) = reply { #expect(text.contains("DUP.STATUS \(job)"), "\(text)") }
        }
        // Another scope runs its own; its manager does not see bob's job, an admin sees both.
        let other = try #require(Self.integer(try store.json(await store.run(&carol, ["DUP.SCAN", "ASYNC"]))["job"]))
        #expect(other != job)
        #expect(Self.code(await store.run(&carol, ["DUP.STATUS", String(job)])) == "NOT_FOUND")
        #expect(Self.code(await store.run(&carol, ["DUP.CANCEL", String(job)])) == "NOT_FOUND")
        #expect(Self.code(await store.run(&bob, ["DUP.STATUS", String(other)])) == "NOT_FOUND")
        #expect(try store.json(await store.run(["DUP.STATUS", String(job)]))["state"] == .string("running"), "an admin sees a manager's job")
        #expect(Self.code(await store.run(["DUP.STATUS"])) == "NOT_FOUND", "the organization's own scope has no job yet")
        #expect(Self.code(await store.run(&dave, ["DUP.STATUS", String(job)])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&dave, ["DUP.SCAN", "ASYNC"])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&dave, ["DUP.CANCEL", String(job)])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&bob, ["DUP.STATUS", "nine"])) == "WRONG_ARGS")

        #expect(try store.json(await store.run(&carol, ["DUP.CANCEL", String(other)]))["cancelled"] == .bool(true))
        gate.open()
        let done = try await Self.finished(store, &bob, job: job)
        #expect(done["state"] == .string("done") && done["error"] == .null, "\(done)")
        #expect(Self.integer(done["result"]?["groups"]) == 2, "\(done)")
        #expect(done["contacts_scanned"] == .integer(5) && done["contacts_total"] == .integer(5), "\(done)")
        #expect(Self.integer(done["elapsed_ms"]).map { $0 >= 0 } == true && Self.string(done["finished_at"]) != nil, "\(done)")
        let groups = try store.json(await store.run(&bob, ["DUP.GROUPS"]))
        #expect(groups["total"] == .integer(2), "DUP.GROUPS serves the finished job's scan: \(groups)")

        let cancelled = try await Self.finished(store, &carol, job: other)
        #expect(cancelled["state"] == .string("cancelled") && cancelled["result"] == .null, "\(cancelled)")
        #expect(Self.code(await store.run(&carol, ["DUP.GROUPS"])) == "NOT_FOUND", "a cancelled scan leaves nothing to page")
        #expect(Self.code(await store.run(&carol, ["DUP.CANCEL", String(other)])) == "CONFLICT", "already cancelled")
        #expect(Self.code(await store.run(&bob, ["DUP.CANCEL", String(job)])) == "CONFLICT", "already done")

        // The scope is free again, and a synchronous scan replies as it always has.
        let again = try store.json(await store.run(&bob, ["DUP.SCAN"]))
        #expect(again["groups"] == .integer(2) && again["job"] == nil, "\(again)")
        await store.close()
    }

    @Test("A scan's result and groups are the same run synchronously or as a job")
    func sameResult() async throws {
        let store = try await Store()
        try await Self.fill(store)
        for threshold in ["85", "70"] {
            let synchronous = try store.json(await store.run(["DUP.SCAN", "THRESHOLD", threshold]))
            let syncGroups = try store.json(await store.run(["DUP.GROUPS", "LIMIT", "50"]))
            let job = try #require(Self.integer(try store.json(await store.run(["DUP.SCAN", "THRESHOLD", threshold, "ASYNC"]))["job"]))
            let status = try await Self.finished(store, &store.owner, job: job)
            #expect(status["state"] == .string("done") && status["threshold"] == .integer(Int64(threshold) ?? 0), "\(status)")
            #expect(Self.timeless(status["result"]) == Self.timeless(synchronous), "\(status) against \(synchronous)")
            let asyncGroups = try store.json(await store.run(["DUP.GROUPS", "LIMIT", "50"]))
            #expect(Self.timeless(asyncGroups) == Self.timeless(syncGroups))
            #expect(Self.integer(synchronous["groups"]).map { $0 >= 3 } == true, "\(synchronous)")
        }
        await store.close()
    }
}
