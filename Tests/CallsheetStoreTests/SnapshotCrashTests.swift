import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// Crashes while a snapshot is written or right after it, and damaged snapshots.
@Suite struct SnapshotCrashTests {
    /// Opens a store with one organization and `count` contacts added one by one.
    static func seeded(_ configuration: StoreConfiguration, count: Int, from first: Int = 0) async throws -> OpenStore {
        var store = try OpenStore(configuration)
        if await store.directory.organizationIDs.isEmpty {
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
        } else {
            await store.run("USE", "Acme")
        }
        for n in first..<(first + count) {
            let reply = await store.run("CONTACT.ADD", contactJSON(n))
            #expect(errorCode(reply) == nil, "\(reply)")
        }
        return store
    }

    /// A crash at each step of writing a snapshot: the reopened store has every acknowledged
    /// write, replays each journal record exactly once, and the next snapshot clears the leftovers.
    @Test(arguments: SnapshotWriter.CrashPoint.allCases)
    func crashWhileWritingASnapshotLosesNothing(at point: SnapshotWriter.CrashPoint) async throws {
        try await withTemporaryDirectory(prefix: "snapshot-crash") { path in
            var configuration = testConfiguration(path)
            configuration.snapshotCrashPoint = point
            configuration.segmentSize = 4096
            var store = try await Self.seeded(configuration, count: 40)
            let report = await store.run("SNAPSHOT")
            #expect(errorCode(report) == "UNAVAILABLE", "the simulated crash fails the snapshot: \(report)")
            for n in 40..<60 { await store.run("CONTACT.ADD", contactJSON(n)) }
            let live = try await dump(store.directory)
            let last = try #require(await store.directory.journal?.nextSequence) - 1
            try await store.crash()

            let published = point == .afterRename || point == .afterDirectoryFsynced
            let snapshots = try snapshotFiles(path)
            #expect(snapshots.count == (published ? 1 : 0))
            let snapshotSequence = try snapshots.first.map { try SnapshotReader.readHeader(path: $0).sequence } ?? 0
            configuration.snapshotCrashPoint = nil
            var reopened = try OpenStore(configuration)
            let state = try await dump(reopened.directory)
            expectSameState(state.organizations, live.organizations, "\(point)")
            #expect(state.problems.isEmpty)
            let figures = try #require(replayFigures(await reopened.directory.recoveryReport))
            #expect(figures.records == Int(last - snapshotSequence), "each record after the snapshot replayed once, none before it")
            #expect(figures.through == last)

            await reopened.run("USE", "Acme")
            _ = try await reopened.json("SNAPSHOT")
            #expect(try TestFiles.names(path).allSatisfy { !$0.hasSuffix(".tmp") }, "leftover temporary snapshot removed")
            try await reopened.crash()
            let again = try OpenStore(configuration)
            expectSameState(try await dump(again.directory).organizations, live.organizations, "\(point), after the next snapshot")
            try await again.crash()
        }
    }

    /// A crash after the snapshot is published but before the journal segments it covers are
    /// deleted: no gap, nothing applied twice; the clean-up happens on the next snapshot.
    @Test func crashBetweenSnapshotAndJournalCleanUp() async throws {
        try await withTemporaryDirectory(prefix: "snapshot-cleanup") { path in
            var configuration = testConfiguration(path)
            configuration.segmentSize = 2048
            configuration.keepSnapshots = 1
            var store = try await Self.seeded(configuration, count: 30)
            _ = try await store.json("SNAPSHOT")
            for n in 30..<60 { await store.run("CONTACT.ADD", contactJSON(n)) }
            // Publish the second snapshot, then "crash" before SnapshotRetention and removeSegments run.
            var crashing = configuration
            crashing.snapshotCrashPoint = .afterDirectoryFsynced
            await store.directory.close()  // the graceful path writes a snapshot; use a crashing one below instead
            var writer = try OpenStore(crashing)
            await writer.run("USE", "Acme")
            // Enough for several segments: the clean stop above cut the journal, so it starts afresh.
            for n in 60..<100 { await writer.run("CONTACT.ADD", contactJSON(n)) }
            let segmentsBefore = try journalSegments(path).count
            #expect(segmentsBefore > 1)
            #expect(errorCode(await writer.run("SNAPSHOT")) == "UNAVAILABLE")
            let live = try await dump(writer.directory)
            let last = try #require(await writer.directory.journal?.nextSequence) - 1
            try await writer.crash()
            let newest = try #require(try snapshotFiles(path).first)
            let newestSequence = try SnapshotReader.readHeader(path: newest).sequence
            #expect(newestSequence == last, "the published snapshot covers everything")
            #expect(try snapshotFiles(path).count == 2, "retention did not run")
            #expect(try journalSegments(path).count >= segmentsBefore, "no journal segment was deleted")

            var reopened = try OpenStore(configuration)
            expectSameState(try await dump(reopened.directory).organizations, live.organizations, "reopened")
            let figures = try #require(replayFigures(await reopened.directory.recoveryReport))
            #expect(figures.records == 0, "records the snapshot covers are not applied again")
            await reopened.run("USE", "Acme")
            await reopened.run("CONTACT.ADD", contactJSON(500))
            _ = try await reopened.json("SNAPSHOT")
            #expect(try snapshotFiles(path).count == 1)
            #expect(try journalSegments(path).count == 1, "clean-up caught up: only the active segment is left")
            let expected = try await dump(reopened.directory)
            try await reopened.crash()
            let last2 = try OpenStore(configuration)
            expectSameState(try await dump(last2.directory).organizations, expected.organizations, "after clean-up")
            try await last2.crash()
        }
    }

    /// A flipped byte in the newest snapshot: recovery falls back to the previous one plus the
    /// longer journal, says so, and loses nothing.
    @Test(arguments: [0.1, 0.5, 0.95])
    func corruptNewestSnapshotFallsBackToThePreviousOne(position: Double) async throws {
        try await withTemporaryDirectory(prefix: "snapshot-corrupt") { path in
            let configuration = testConfiguration(path)
            var store = try await Self.seeded(configuration, count: 200)
            _ = try await store.json("SNAPSHOT")
            for n in 200..<260 { await store.run("CONTACT.UPDATE", String(n - 199), #"{"notes":"second \#(n)"}"#) }
            _ = try await store.json("SNAPSHOT")
            for n in 260..<280 { await store.run("CONTACT.ADD", contactJSON(n)) }
            let live = try await dump(store.directory)
            try await store.crash()

            let snapshots = try snapshotFiles(path)
            #expect(snapshots.count == 2)
            let newest = try #require(snapshots.first)
            try TestFiles.flipByte(newest, at: Int(Double(try TestFiles.size(newest)) * position))
            let reopened = try OpenStore(configuration)
            expectSameState(try await dump(reopened.directory).organizations, live.organizations, "fallback")
            let report = await reopened.directory.recoveryReport
            #expect(report.contains("rejected") && report.contains("fell back"), "\(report)")
            #expect(report.contains(snapshots[1]), "names the snapshot it used: \(report)")
            #expect(replayFigures(report)?.records == 80, "the journal after the older snapshot: \(report)")
            try await reopened.crash()
        }
    }
}
