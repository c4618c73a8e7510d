import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// A crash at each step of an erasure's disk rewrite (each crash point of its snapshot, and after
/// the snapshot but before the receipt says disk is clean): the directory starts, the contact is
/// gone, the receipt is pending until the next clean-up, which leaves no byte of the person.
@Suite struct ErasureCrashPointTests {
    enum Step: Sendable, CustomStringConvertible {
        case snapshot(SnapshotWriter.CrashPoint)
        /// The erasure's change set is durable, its clean-up never ran (the process died first).
        case beforeCleanUp

        var description: String {
            switch self {
            case .snapshot(let point): "snapshot \(point)"
            case .beforeCleanUp: "before the clean-up"
            }
        }
    }

    static let steps: [Step] = SnapshotWriter.CrashPoint.allCases.map(Step.snapshot) + [.beforeCleanUp]

    @Test(arguments: steps)
    func crashDuringAnErasure(at step: Step) async throws {
        try await withTemporaryDirectory(prefix: "erasure-step") { path in
            var configuration = testConfiguration(path)
            configuration.segmentSize = 4096
            let marker = "Qzxz\(Int.random(in: 100_000...999_999))"
            var store = try OpenStore(configuration)
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
            let person = try await store.json("CONTACT.ADD", #"{"name":"\#(marker) Person","phone":"+16502537001","notes":"\#(marker) notes"}"#)
            guard case .integer(let id)? = person["id"] else { Issue.record("\(person.serialized)"); return }
            for n in 0..<30 { await store.run("CONTACT.ADD", contactJSON(n)) }
            await store.run("CALL.LOG", String(id), #"{"outcome":"completed","notes":"\#(marker) call"}"#)
            _ = try await store.json("SNAPSHOT")
            await store.run("CONTACT.UPDATE", String(id), #"{"notes":"\#(marker) later"}"#)
            try await store.crash()
            #expect(!ComplianceTests.hits(marker, in: try ComplianceTests.dataBytes(path)).isEmpty, "the person is on disk before the erasure, or the test proves nothing")

            // The erasure, in a process that dies at the step.
            switch step {
            case .snapshot(let point):
                configuration.snapshotCrashPoint = point
                var dying = try OpenStore(configuration)
                await dying.run("USE", "Acme")
                let receipt = try await dying.json("CONTACT.ERASE", String(id))
                #expect(receipt["disk_clean_at"] == .null, "\(step): the clean-up's snapshot crashed, so disk is not clean yet")
                try await dying.crash()
                configuration.snapshotCrashPoint = nil
            case .beforeCleanUp:
                var dying = try OpenStore(configuration)
                await dying.run("USE", "Acme")
                let planned = await dying.session.shard!
                try await planned.commit(try await planned.read { state throws(CallsheetError) in
                    try state.planErase(ContactID(id), by: .owner, context: PlanningContext(now: Clock.now())).changes
                })
                try await dying.crash()
            }

            // The next start: it opens, the person is gone, the receipt pending; the clean-up finishes.
            var reopened = try OpenStore(configuration)
            await reopened.run("USE", "Acme")
            #expect(errorCode(await reopened.run("CONTACT.GET", String(id))) == "NOT_FOUND", "\(step)")
            let pending = try await reopened.json("ERASURE.LIST")
            guard case .array(let receipts) = pending else { Issue.record("\(pending.serialized)"); return }
            #expect(receipts.count == 1 && receipts.first?["disk_clean_at"] == .null, "\(step)")
            await reopened.directory.snapshotIfDue()
            let done = try await reopened.json("ERASURE.LIST")
            guard case .array(let finished) = done else { return }
            #expect(finished.first?["disk_clean_at"] != .null, "\(step): the scheduler's tick finishes a pending erasure")
            #expect(try await reopened.json("CONTACT.COUNT")["active"] == .integer(30))
            try await reopened.crash()
            let hits = ComplianceTests.hits(marker, in: try ComplianceTests.dataBytes(path))
            #expect(hits.isEmpty, "\(step): the person outlived the erasure in \(hits)")
            // And the directory starts once more, clean.
            let again = try OpenStore(configuration)
            try await again.crash()
        }
    }
}
