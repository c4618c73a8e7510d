import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// Snapshots cut the journal and COMPACT removes what retention no longer needs: a busy
/// directory shrinks, and reopens to exactly the state it held (docs/STORAGE.md, "Compaction").
@Suite struct CompactionTests {
    /// Four writers run random commands in two organizations (seeded, so a failure replays).
    private func busy(_ directory: ShardDirectory, round: Int, commands: Int = 150) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                let seed = UInt64(round * 10 + writer)
                group.addTask {
                    var session = Session(isLocalOwner: true)
                    let executor = CommandExecutor(directory: directory)
                    _ = await executor.execute(["USE", writer % 2 == 0 ? "Acme" : "Globex"], session: &session)
                    var workload = RandomWorkload(seed: seed, tag: "r\(round)w\(writer)")
                    workload.added = 60 * round
                    for _ in 0..<commands {
                        let command = workload.next()
                        let problem = workload.check(command, await executor.execute(command, session: &session))
                        #expect(problem == nil, "seed \(seed): \(problem ?? "")")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private func bytes(_ path: String) -> Int64 { DataDirectoryUsage(path).bytes }

    private func integer(_ json: JSONValue, _ key: String) -> Int64? {
        if case .integer(let value)? = json[key] { return value }
        return nil
    }

    @Test(arguments: [1, 2])
    func aBusyDirectoryShrinksAndReopensToTheSameState(keep: Int) async throws {
        try await withTemporaryDirectory(prefix: "compact") { path in
            var configuration = testConfiguration(path)
            configuration.segmentSize = 8 * 1024
            configuration.keepSnapshots = keep
            configuration.fsyncPolicy = .no
            // Sizes as served: organizations this small carry no index image.
            configuration.indexImageMinimumContacts = SnapshotCodec.imageMinimumContacts
            var store = try OpenStore(configuration)
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
            await store.run("ORG.CREATE", "Globex", "REGION", "GB", "ADMIN", "gina")
            try await busy(store.directory, round: 0)
            let grown = try journalSegments(path).count
            #expect(grown >= 5, "the writes span several segments (\(grown))")
            let before = bytes(path)
            let snapshot = try await store.json("SNAPSHOT")
            #expect(integer(snapshot, "removed_journal_segments") == Int64(grown), "\(snapshot)")
            #expect(try journalSegments(path).count == 1, "only the segment begun at the snapshot is left")
            let afterSnapshot = bytes(path)
            #expect(afterSnapshot < before, "SNAPSHOT shrank the directory: \(before) → \(afterSnapshot) bytes")

            var last = JSONValue.null
            for round in 1...2 {
                try await busy(store.directory, round: round)
                last = try await store.json("COMPACT")
            }
            // Round 2's COMPACT frees what round 1 wrote: the older snapshot it kept covers it.
            let bytesBefore = try #require(integer(last, "bytes_before")), bytesAfter = try #require(integer(last, "bytes_after"))
            #expect(bytesAfter < bytesBefore, "\(last)")
            #expect(bytesAfter == bytes(path))
            guard case .array(let removed)? = last["removed_journal_segments"] else { Issue.record("\(last)"); return }
            #expect(!removed.isEmpty, "\(last)")
            let segmentsLeft = try journalSegments(path).count
            #expect(integer(last, "snapshots") == Int64(keep) && integer(last, "journal_segments") == Int64(segmentsLeft))
            print("compaction (keep \(keep)): \(grown) segments, \(before) bytes → SNAPSHOT → \(afterSnapshot) bytes; COMPACT: \(bytesBefore) → \(bytesAfter) bytes")

            try await busy(store.directory, round: 3, commands: 40)
            let live = try await dump(store.directory)
            #expect(live.problems.isEmpty)
            try await store.crash()
            store = try OpenStore(configuration)
            expectSameState(try await dump(store.directory).organizations, live.organizations, "reopened after a crash (keep \(keep))")
            await store.directory.close()
            store = try OpenStore(configuration)
            expectSameState(try await dump(store.directory).organizations, live.organizations, "reopened after a clean stop (keep \(keep))")
            await store.directory.close()
        }
    }

    /// Compactions while writers write: every acknowledged change survives, sequences join up.
    @Test func compactionsDuringWritesLoseNothing() async throws {
        try await withTemporaryDirectory(prefix: "compact-busy") { path in
            var configuration = testConfiguration(path)
            configuration.segmentSize = 8 * 1024
            var store = try OpenStore(configuration)
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
            await store.run("ORG.CREATE", "Globex", "REGION", "GB", "ADMIN", "gina")
            let directory = store.directory
            let writers = Task { try await busy(directory, round: 0, commands: 200) }
            var compactions = 0
            while compactions < 20 {
                let reply = await store.run("COMPACT")
                #expect(errorCode(reply) == nil, "\(reply)")
                compactions += 1
                try await Task.sleep(for: .milliseconds(5))
            }
            try await writers.value
            let live = try await dump(store.directory)
            try await store.crash()
            store = try OpenStore(configuration)
            expectSameState(try await dump(store.directory).organizations, live.organizations, "after compactions under writes")
            await store.directory.close()
            let report = try StorageVerifier.verify(path: path)
            #expect(report.isHealthy, "\(report.description)")
        }
    }

    @Test func compactIsForTheOwnerOnly() async throws {
        try await withTemporaryDirectory(prefix: "compact-owner") { path in
            var store = try OpenStore(testConfiguration(path))
            let created = try await store.json("ORG.CREATE", "Acme", "ADMIN", "alice")
            guard case .string(let secret)? = created["secret"] else { Issue.record("\(created)"); return }
            var admin = Session(isLocalOwner: false)
            #expect(await store.executor.execute(["AUTH", "alice", secret], session: &admin) == .ok)
            for command in [["COMPACT"], ["BACKUP", path + "-backup"]] {
                let reply = await store.executor.execute(command, session: &admin)
                #expect(errorCode(reply) == "FORBIDDEN", "\(command[0]): \(reply)")
            }
            #expect(try snapshotFiles(path).isEmpty, "a refused COMPACT changed nothing")
            await store.directory.close()
        }
    }
}
