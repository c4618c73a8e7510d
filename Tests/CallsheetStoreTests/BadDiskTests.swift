import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// A disk that fails: the Nth write, fsync or rename of the journal or of the snapshot writer
/// fails, once or from then on, for every N a short scripted workload reaches. After each run the
/// store must never have acknowledged what it did not store, and reopening the directory (on a
/// healthy disk) must give exactly the acknowledged state.
@Suite(.serialized) struct BadDiskTests {
    enum Target: String, Sendable, CaseIterable { case journal, snapshot }

    struct Case: Sendable, CustomTestStringConvertible {
        var target: Target
        var operation: JournalFaultInjection.Operation
        var forever: Bool
        var testDescription: String { "\(target) \(operation) \(forever ? "forever" : "once")" }
    }

    static let cases: [Case] = Target.allCases.flatMap { target in
        JournalFaultInjection.Operation.allCases.flatMap { operation in
            // The journal never renames.
            target == .journal && operation == .rename ? [] : [false, true].map { Case(target: target, operation: operation, forever: $0) }
        }
    }

    /// The script: every kind of record, two snapshots, segments small enough to rotate.
    static let script: [[String]] = {
        var commands: [[String]] = [["ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice"]]
        for n in 0..<5 { commands.append(["CONTACT.ADD", contactJSON(n, tags: ["t\(n % 2)"])]) }
        commands.append(["CONTACT.UPDATE", "2", #"{"notes":"edited","tags":["vip"]}"#])
        commands.append(["USER.CREATE", "bob", "ROLE", "agent"])
        commands.append(["FIELD.CREATE", #"{"name":"score","type":"integer"}"#])
        commands.append(["CONTACT.ADD", #"{"name":"Scored","phone":"\#(testPhone(40))","custom_fields":{"score":7}}"#])
        commands.append(["SNAPSHOT"])
        commands.append(["CONTACT.DELETE", "3"])
        commands.append(["CONTACT.LOGCALL", "1", "answered"])
        for n in 5..<8 { commands.append(["CONTACT.ADD", contactJSON(n)]) }
        commands.append(["DEPT.CREATE", "Support"])
        commands.append(["ORG.SET", "name", "Acme Calling"])
        commands.append(["SNAPSHOT"])
        commands.append(["CONTACT.DELETE", "4", "PERMANENT"])
        commands.append(["CONTACT.ADD", contactJSON(9)])
        return commands
    }()

    func configuration(_ path: String, _ faults: JournalFaultInjection?, target: Target) -> StoreConfiguration {
        var configuration = testConfiguration(path)
        configuration.segmentSize = 700
        configuration.keepSnapshots = 1
        switch target {
        case .journal: configuration.journalFaultInjection = faults
        case .snapshot: configuration.snapshotFaultInjection = faults
        }
        return configuration
    }

    /// Runs the script on a store whose disk fails as `faults` says. Returns the last acknowledged
    /// state, checking after every refused command that nothing of it is visible.
    func run(_ path: String, _ faults: JournalFaultInjection, target: Target, context: String) async throws -> [OrganizationID: OrganizationDump] {
        var acknowledged: [OrganizationID: OrganizationDump] = [:]
        let opened: OpenStore
        do {
            opened = try OpenStore(configuration(path, faults, target: target))
        } catch {
            // The journal could not start its segment: nothing was served, nothing acknowledged.
            #expect(target == .journal, "\(context): open failed: \(error)")
            return acknowledged
        }
        var store = opened
        var refused: [[String]] = []
        for command in Self.script {
            if try await !step(&store, command, &acknowledged, context: context) { refused.append(command) }
        }
        // The disk is repaired without a restart: once the journal's probe finds it healthy,
        // each refused command goes through again. A refused write must have left nothing
        // behind (a reserved login, a taken phone or name) that would make it conflict now.
        faults.clear()
        let deadline = ContinuousClock.now + .seconds(20)
        while await store.directory.journal?.health.isHealthy == false, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        for command in refused {
            let reply = await store.run(command)
            #expect(errorCode(reply) != "UNAVAILABLE" && errorCode(reply) != "CONFLICT", "\(context): \(command[0]) again on a healthy disk: \(reply)")
            _ = try await step(&store, command, &acknowledged, context: context, reply: reply)
        }
        await store.directory._simulateCrash()
        return acknowledged
    }

    /// Runs one command (or takes its reply) and checks the state against the acknowledged one.
    /// - Returns: whether the command was acknowledged.
    func step(
        _ store: inout OpenStore, _ command: [String], _ acknowledged: inout [OrganizationID: OrganizationDump],
        context: String, reply given: RESPValue? = nil
    ) async throws -> Bool {
        let reply: RESPValue
        if let given { reply = given } else { reply = await store.run(command) }
        let state = try await dump(store.directory)
        #expect(state.problems.isEmpty, "\(context): \(command[0]): \(state.problems.prefix(3))")
        guard errorCode(reply) == nil else {
            expectSameState(state.organizations, acknowledged, "\(context): after refused \(command[0]) (\(reply))", ignoringCounters: true)
            return false
        }
        acknowledged = state.organizations
        return true
    }

    /// Reopens on a healthy disk, compares with the acknowledged state, then checks the journal
    /// continues: one more write survives another reopening.
    func reopenAndCheck(_ path: String, expected: [OrganizationID: OrganizationDump], context: String) async throws {
        var reopened = try OpenStore(testConfiguration(path))
        let state = try await dump(reopened.directory)
        expectSameState(state.organizations, expected, "\(context): reopened", ignoringCounters: true)
        #expect(state.problems.isEmpty, "\(context): reopened: \(state.problems.prefix(3))")
        guard !expected.isEmpty else {
            await reopened.directory._simulateCrash()
            return
        }
        await reopened.run("USE", String(try #require(await reopened.directory.organizationIDs.first)))
        let added = await reopened.run("CONTACT.ADD", contactJSON(77))
        #expect(errorCode(added) == nil, "\(context): a write after reopening: \(added)")
        let live = try await dump(reopened.directory)
        await reopened.directory._simulateCrash()
        let again = try OpenStore(testConfiguration(path))
        expectSameState(try await dump(again.directory).organizations, live.organizations, "\(context): reopened twice")
        await again.directory._simulateCrash()
    }

    @Test(arguments: cases)
    func everyFailurePointKeepsExactlyTheAcknowledgedState(_ testCase: Case) async throws {
        // How many operations of the kind the script performs on a healthy disk.
        let counter = JournalFaultInjection()
        let healthy = try await withTemporaryDirectory(prefix: "bad-disk") { path in
            let acknowledged = try await run(path, counter, target: testCase.target, context: "healthy")
            #expect(acknowledged.values.first?.contacts.count == 9, "the script runs through on a healthy disk")
            return counter.attempts(testCase.operation)
        }
        #expect(healthy > 0, "the script never reaches a \(testCase.operation) of the \(testCase.target)")
        print("bad disk: \(testCase.testDescription): \(healthy) failure points")
        for failing in 0..<healthy {
            try await withTemporaryDirectory(prefix: "bad-disk") { path in
                let faults = JournalFaultInjection()
                faults.fail(testCase.operation, after: failing, count: testCase.forever ? .max : 1)
                let context = "\(testCase.testDescription) #\(failing + 1) of \(healthy)"
                let acknowledged = try await run(path, faults, target: testCase.target, context: context)
                #expect(faults.attempts(testCase.operation) > failing, "\(context): the failure was never reached")
                try await reopenAndCheck(path, expected: acknowledged, context: context)
            }
        }
    }
}

/// Concurrent writers in two organizations share the journal's group commit: a failure takes down
/// a batch mixing both. Every acknowledged contact must be there after reopening, and no refused one.
@Suite(.serialized) struct ConcurrentBadDiskTests {
    struct Outcome: Sendable {
        var acknowledged: [(organization: String, phone: String, notes: String)] = []
        var refused: [(organization: String, phone: String)] = []
    }

    static func writer(_ directory: ShardDirectory, organization: String, writer: Int) async -> Outcome {
        let executor = CommandExecutor(directory: directory)
        var session = Session(isLocalOwner: true)
        _ = await executor.execute(["USE", organization], session: &session)
        var outcome = Outcome()
        for n in 0..<12 {
            let number = 1000 + writer * 100 + n
            let phone = testPhone(number)
            let reply = await executor.execute(["CONTACT.ADD", contactJSON(number, phone: phone)], session: &session)
            guard errorCode(reply) == nil, let text = reply.string, let json = try? JSONValue.parse(text),
                case .string(let e164)? = json["phone"], case .integer(let id)? = json["id"]
            else {
                outcome.refused.append((organization, phone))
                continue
            }
            // An update of what was just added: acknowledged or not, the last acknowledged notes must win.
            let notes = "w\(writer) n\(n) updated"
            let update = await executor.execute(["CONTACT.UPDATE", String(id), #"{"notes":"\#(notes)"}"#], session: &session)
            outcome.acknowledged.append((organization, e164, errorCode(update) == nil ? notes : "note \(number)"))
        }
        return outcome
    }

    @Test(arguments: [JournalFaultInjection.Operation.write, .fsync])
    func failuresUnderConcurrentWritersKeepExactlyTheAcknowledgedWrites(_ operation: JournalFaultInjection.Operation) async throws {
        var refusedInAll = 0
        for failing in 0..<48 {
            try await withTemporaryDirectory(prefix: "bad-disk-concurrent") { path in
                let faults = JournalFaultInjection()
                var configuration = testConfiguration(path)
                configuration.journalFaultInjection = faults
                configuration.segmentSize = 2048
                var setup = try OpenStore(configuration)
                await setup.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
                await setup.run("ORG.CREATE", "Globex", "REGION", "US", "ADMIN", "gina")
                faults.fail(operation, after: failing, count: 1)
                let directory = setup.directory
                let outcomes = await withTaskGroup(of: Outcome?.self) { group in
                    for writer in 0..<4 {
                        group.addTask { await Self.writer(directory, organization: writer % 2 == 0 ? "Acme" : "Globex", writer: writer) }
                    }
                    // Snapshots meanwhile: a copy must never hold a change the failure discarded.
                    group.addTask {
                        for _ in 0..<3 {
                            try? await Task.sleep(for: .milliseconds(Int.random(in: 1...15)))
                            _ = try? await directory.snapshot()
                        }
                        return nil
                    }
                    return await group.reduce(into: [Outcome]()) { if let outcome = $1 { $0.append(outcome) } }
                }
                refusedInAll += outcomes.reduce(0) { $0 + $1.refused.count }
                let live = try await dump(directory)
                #expect(live.problems.isEmpty, "#\(failing): \(live.problems.prefix(3))")
                await directory._simulateCrash()

                var reopened = try OpenStore(testConfiguration(path))
                let state = try await dump(reopened.directory)
                #expect(state.problems.isEmpty, "#\(failing): reopened: \(state.problems.prefix(3))")
                expectSameState(state.organizations, live.organizations, "\(operation) #\(failing): reopened", ignoringCounters: true)
                for outcome in outcomes {
                    for contact in outcome.acknowledged {
                        await reopened.run("USE", contact.organization)
                        let found = await reopened.run("CONTACT.BYPHONE", contact.phone)
                        let json = found.string.flatMap { try? JSONValue.parse($0) }
                        #expect(json?["notes"] == .string(contact.notes), "#\(failing): acknowledged \(contact.phone) in \(contact.organization): \(found)")
                    }
                    for contact in outcome.refused {
                        await reopened.run("USE", contact.organization)
                        #expect(errorCode(await reopened.run("CONTACT.BYPHONE", contact.phone)) == "NOT_FOUND", "#\(failing): refused \(contact.phone) is there")
                    }
                }
                await reopened.directory._simulateCrash()
            }
        }
        #expect(refusedInAll > 0, "the failures refused some adds")
    }
}
