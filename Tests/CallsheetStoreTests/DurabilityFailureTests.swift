import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// A journal that cannot store a write: the write is refused, undone and never acknowledged;
/// reads go on; writes resume once the disk is healthy.
@Suite struct DurabilityFailureTests {
    func waitUntilWritesAreAccepted(_ store: inout OpenStore, phone n: Int) async throws -> RESPReplyText {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let reply = await store.run("CONTACT.ADD", contactJSON(n))
            if errorCode(reply) != "UNAVAILABLE" || ContinuousClock.now > deadline { return RESPReplyText(reply) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Fault injection: every fsync fails until cleared.
    @Test func failedFsyncIsAnsweredUnavailableAndRolledBack() async throws {
        try await withTemporaryDirectory(prefix: "fsync-fail") { path in
            let faults = JournalFaultInjection()
            var configuration = testConfiguration(path)
            configuration.journalFaultInjection = faults
            var store = try await SnapshotCrashTests.seeded(configuration, count: 5)
            await store.run("CONTACT.UPDATE", "2", #"{"notes":"durable"}"#)
            let durable = try await dump(store.directory)

            faults.failFsyncs()
            let add = await store.run("CONTACT.ADD", contactJSON(100))
            #expect(errorCode(add) == "UNAVAILABLE", "\(add)")
            let update = await store.run("CONTACT.UPDATE", "2", #"{"notes":"lost"}"#)
            #expect(errorCode(update) == "UNAVAILABLE", "writes are refused while the journal is failed: \(update)")
            #expect(errorCode(await store.run("CONTACT.GET", "6")) == "NOT_FOUND", "the refused contact is not visible")
            #expect(errorCode(await store.run("CONTACT.BYPHONE", testPhone(100))) == "NOT_FOUND")
            let note = try await store.json("CONTACT.GET", "2")
            #expect(note["notes"] == .string("durable"), "reads go on and show the durable value")
            expectSameState(try await dump(store.directory).organizations, durable.organizations, "after the refused writes", ignoringCounters: true)
            let info = try await store.json("INFO", "JSON")
            #expect(info["journal"]?["healthy"] == .bool(false))

            faults.clear()
            let retried = try await waitUntilWritesAreAccepted(&store, phone: 100)
            #expect(retried.code == nil, "the phone is free again and writes resume: \(retried)")
            let live = try await dump(store.directory)
            try await store.crash()
            let reopened = try OpenStore(testConfiguration(path))
            let state = try await dump(reopened.directory)
            expectSameState(state.organizations, live.organizations, "reopened")
            #expect(state.organizations.values.first?.contacts.values.contains { $0.notes == "lost" } == false)
            try await reopened.crash()
        }
    }

    /// A real ENOSPC: the next journal segment is a symlink to /dev/full.
    @Test func fullDiskIsAnsweredUnavailableAndRolledBack() async throws {
        try await withTemporaryDirectory(prefix: "disk-full") { path in
            var configuration = testConfiguration(path)
            configuration.segmentSize = 1024
            var store = try await SnapshotCrashTests.seeded(configuration, count: 1)
            let journal = try #require(await store.directory.journal)
            var n = 1
            while try TestFiles.size(try #require(try journalSegments(path).last)) < 1024 {
                await store.run("CONTACT.ADD", contactJSON(n))
                n += 1
            }
            let durable = try await dump(store.directory)
            let next = JournalSegmentFile(directory: path, firstSequence: journal.nextSequence).path
            try FileManager.default.createSymbolicLink(atPath: next, withDestinationPath: "/dev/full")

            let refused = await store.run("CONTACT.ADD", contactJSON(500))
            #expect(errorCode(refused) == "UNAVAILABLE", "\(refused)")
            #expect(RESPReplyText(refused).text.contains("not stored"), "\(refused)")
            #expect(errorCode(await store.run("CONTACT.BYPHONE", testPhone(500))) == "NOT_FOUND")
            expectSameState(try await dump(store.directory).organizations, durable.organizations, "after ENOSPC", ignoringCounters: true)
            try await Task.sleep(for: .milliseconds(100))
            #expect(errorCode(await store.run("CONTACT.ADD", contactJSON(501))) == "UNAVAILABLE", "still full")

            try FileManager.default.removeItem(atPath: next)
            let retried = try await waitUntilWritesAreAccepted(&store, phone: 500)
            #expect(retried.code == nil, "\(retried)")
            let live = try await dump(store.directory)
            try await store.crash()
            let reopened = try OpenStore(testConfiguration(path))
            expectSameState(try await dump(reopened.directory).organizations, live.organizations, "reopened")
            try await reopened.crash()
        }
    }

    /// A data directory that cannot be created or written gives a clear error from open.
    @Test func unusableDataDirectoryGivesAClearError() async throws {
        try await withTemporaryDirectory(prefix: "unusable") { path in
            let file = path + "/a-file"
            try TestFiles.write([1, 2, 3], to: file)
            for (directory, words) in [(file, "cannot create the data directory"), (file + "/data", "cannot create the data directory"), ("/proc/callsheet-data", "cannot create the data directory"), ("/proc/self", "cannot lock the data directory")] {
                #expect(performing: { _ = try OpenStore(testConfiguration(directory)) }, throws: { error in
                    guard let error = error as? CallsheetError else { return false }
                    return error.code == .unavailable && error.message.contains(words) && error.message.contains(directory)
                })
            }
        }
    }
}

/// A reply's text and error code, readable in expectation messages.
struct RESPReplyText: CustomStringConvertible {
    let text: String
    let code: String?
    init(_ reply: RESPValue) {
        code = errorCode(reply)
        if case .error(let message) = reply { text = message } else { text = reply.string ?? "\(reply)" }
    }
    var description: String { text }
}

import CallsheetProtocol
