import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// A disk that fails: the Nth write, fsync or rename of the journal or of the snapshot writer
/// fails, once or from then on, for every N a short scripted workload reaches. After each run the
/// store must never have acknowledged what it did not store, and reopening the directory (on a
/// healthy disk) must give exactly the acknowledged state.
@Suite struct BadDiskTests {
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
        for command in Self.script {
            let reply = await store.run(command)
            let state = try await dump(store.directory)
            #expect(state.problems.isEmpty, "\(context): \(command[0]): \(state.problems.prefix(3))")
            if errorCode(reply) == nil {
                acknowledged = state.organizations
            } else {
                expectSameState(state.organizations, acknowledged, "\(context): after refused \(command[0]) (\(reply))", ignoringCounters: true)
            }
        }
        await store.directory._simulateCrash()
        return acknowledged
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
        await reopened.run("USE", "Acme")
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
