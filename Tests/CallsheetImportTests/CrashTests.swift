import CallsheetCore
import CallsheetStore
import ContactGenerator
import Foundation
import Logging
import Testing

/// A crash during a large import leaves all of it or none of it: the import is one journal record.
struct CrashTests {
    /// Imports 20,000 rows, then "crashes" (the store is dropped without closing: no final
    /// snapshot) with the job file saying it was mid-commit, as it would be after `kill -9`.
    private func importThenCrash(cutJournalBy cut: Int) async throws -> (StoreFixture, Int, String) {
        let store = try await StoreFixture()
        try await store.ok(["ORG.SET", "max_import_rows", "50000"])
        let file = try store.file("big.csv", ContactCSV.document(ContactGenerator.contacts(count: 20000, seed: 3)))
        let summary = try await store.json(["IMPORT.COMMIT", "FILE", file])
        let created = summary["created"]?.int ?? 0
        let job = String(summary["job_id"]?.int ?? 0)
        let jobFile = store.path + "/imports/jobs/\(job).json"
        await store.directory._simulateCrash()  // the journal stops and the directory's lock is let go, as kill -9 would
        let text = try String(contentsOfFile: jobFile, encoding: .utf8).replacingOccurrences(of: "\"state\":\"completed\"", with: "\"state\":\"committing\"")
        try text.write(toFile: jobFile, atomically: true, encoding: .utf8)
        if cut > 0 {
            let segment = try FileManager.default.contentsOfDirectory(atPath: store.path).filter { $0.hasPrefix("journal-") }.sorted().last ?? ""
            let handle = try #require(FileHandle(forUpdatingAtPath: store.path + "/" + segment))
            let size = try handle.seekToEnd()
            try handle.truncate(atOffset: size - UInt64(cut))
            try handle.close()
        }
        store.directory = try ShardDirectory.open(StoreConfiguration(directory: store.path), logger: Logger(label: "test"))
        store.executor = CommandExecutor(directory: store.directory)
        store.owner = Session(isLocalOwner: true)
        try await store.ok(["USE", "Acme"])
        return (store, created, job)
    }

    @Test func importWhoseRecordReachedTheJournalIsThereWhole() async throws {
        let (store, created, job) = try await importThenCrash(cutJournalBy: 0)
        defer { Task { await store.close() } }
        #expect(created > 19000)
        #expect(try await store.contactCount() == created)
        #expect(try await store.json(["IMPORT.STATUS", job])["state"]?.string == "completed")
        #expect(await store.directory.shard(1)?._checkInvariants() == [])
    }

    @Test func importWhoseRecordWasTornIsNotThereAtAll() async throws {
        let (store, _, job) = try await importThenCrash(cutJournalBy: 100_000)
        defer { Task { await store.close() } }
        #expect(try await store.contactCount() == 0)
        let status = try await store.json(["IMPORT.STATUS", job])
        #expect(status["state"]?.string == "failed")
        #expect(status["message"]?.string?.contains("nothing was imported") == true)
    }
}
