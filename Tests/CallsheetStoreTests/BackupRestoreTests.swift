import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import CallsheetStore

/// `BACKUP` and `callsheet restore` (docs/STORAGE.md, "Operating"): a backup made while writes go
/// on restores to exactly the live state at its sequence; damaged or unusable inputs leave nothing.
@Suite struct BackupRestoreTests {
    /// Two organizations with users, fields and departments, then contacts from four writers.
    private func setUp(_ store: inout OpenStore) async throws {
        for (name, admin) in [("Acme", "alice"), ("Globex", "gina")] {
            await store.run("ORG.CREATE", name, "ADMIN", admin)
            await store.run("USE", name)
            await store.run("DEPT.CREATE", "\(name) sales")
            await store.run("USER.CREATE", "\(admin)-agent", "ROLE", "agent", "DEPT", "2")
            await store.run("FIELD.CREATE", #"{"name":"score","type":"integer"}"#)
            for n in 0..<30 { await store.run("CONTACT.ADD", contactJSON(n + (name == "Acme" ? 0 : 100_000))) }
        }
    }

    /// Contacts added while the backup runs. Contact ids of an organization are given out in
    /// journal order, so the restored organization must hold exactly the live contacts up to the
    /// highest restored id, each unchanged.
    @Test func aBackupDuringWritesRestoresTheLiveStateAtItsSequence() async throws {
        try await withTemporaryDirectory(prefix: "backup") { root in
            let path = root + "/data"
            var configuration = testConfiguration(path)
            configuration.segmentSize = 16 * 1024
            var store = try OpenStore(configuration)
            try await setUp(&store)
            let directory = store.directory
            let flags = Flags()
            // Ids acknowledged before the backup started, per organization.
            let writers = Task {
                try await withThrowingTaskGroup(of: (String, [UInt64]).self) { group in
                    for writer in 0..<4 {
                        group.addTask {
                            let organization = writer % 2 == 0 ? "Acme" : "Globex"
                            var session = Session(isLocalOwner: true)
                            let executor = CommandExecutor(directory: directory)
                            _ = await executor.execute(["USE", organization], session: &session)
                            var ackedBefore: [UInt64] = []
                            var n = 1_000 * (writer + 1)
                            while !flags.stopped {
                                let reply = await executor.execute(["CONTACT.ADD", contactJSON(n + (organization == "Acme" ? 0 : 100_000))], session: &session)
                                n += 1
                                let text = try #require(reply.string, "\(reply)")
                                guard case .integer(let id)? = try JSONValue.parse(text)["id"] else { continue }
                                if !flags.backupStarted { ackedBefore.append(UInt64(id)) }
                            }
                            return (organization, ackedBefore)
                        }
                    }
                    var acked: [String: [UInt64]] = [:]
                    for try await (organization, ids) in group { acked[organization, default: []] += ids }
                    return acked
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            flags.startBackup()
            let file = root + "/acme.csbackup"
            let backup = try await store.json("BACKUP", file)
            try await Task.sleep(for: .milliseconds(200))
            flags.stop()
            let ackedBefore = try await writers.value
            guard case .integer(let sequence)? = backup["sequence"] else { Issue.record("\(backup)"); return }
            #expect(backup["file"] == .string(file))
            #expect(backup["bytes"] == .integer(Int64(try TestFiles.size(file))))
            var status = stat()
            #expect(stat(file, &status) == 0 && status.st_mode & 0o777 == 0o600, "a backup file is private like the data directory")
            let live = try await dump(store.directory)
            await store.directory.close()

            let restored = root + "/restored"
            let report = try await DataDirectoryRestore.restore(from: file, into: restored, logger: durabilityLogger)
            #expect(report.sequence == UInt64(sequence) && report.loss == nil)
            #expect(report.organizations == 2)
            #expect(!FileManager.default.fileExists(atPath: root + "/.restored.restoring"))
            let reopened = try OpenStore(testConfiguration(restored))
            let state = try await dump(reopened.directory)
            #expect(state.problems.isEmpty)
            #expect(state.organizations.keys.sorted() == live.organizations.keys.sorted())
            for (id, want) in live.organizations {
                let got = try #require(state.organizations[id])
                #expect(got.organization == want.organization && got.departments == want.departments, "organization \(id)")
                #expect(got.users == want.users && got.fields == want.fields, "organization \(id): users and fields")
                let highest = got.contacts.keys.max() ?? 0
                #expect(got.contacts == want.contacts.filter { $0.key <= highest }, "organization \(id): the live contacts up to \(highest)")
                let name = want.organization.name
                let before = Set(ackedBefore[name] ?? [])
                #expect(before.isSubset(of: Set(got.contacts.keys)), "\(name): every contact acknowledged before BACKUP is in it")
                print("backup round trip: \(name) live \(want.contacts.count) contacts, restored \(got.contacts.count) (acknowledged before the backup began: \(before.count)), sequence \(sequence)")
            }
            await reopened.directory.close()
        }
    }

    /// A backup file with one byte changed is refused, naming the file and the offset; nothing is created.
    @Test func aDamagedBackupIsRefusedWithFileAndOffset() async throws {
        try await withTemporaryDirectory(prefix: "backup-damaged") { root in
            var store = try OpenStore(testConfiguration(root + "/data"))
            try await setUp(&store)
            let file = root + "/b.csbackup"
            _ = try await store.json("BACKUP", file)
            await store.directory.close()
            var bytes = try TestFiles.bytes(file)
            let flipped = bytes.count / 2
            bytes[flipped] ^= 0x20
            try TestFiles.write(bytes, to: file)
            let target = root + "/restored"
            let error = await #expect(throws: CallsheetError.self) {
                _ = try await DataDirectoryRestore.restore(from: file, into: target, logger: durabilityLogger)
            }
            #expect(error?.code == .badRequest)
            #expect(error?.message.contains("BACKUP_CORRUPT") == true && error?.message.contains("[file \(file) offset ") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: target))
            #expect(try TestFiles.names(root).sorted() == ["b.csbackup", "data"], "nothing else was created")
        }
    }

    /// A backup whose records verify but do not open as a store: the restore fails, leaves no
    /// directory (nor its hidden staging sibling), and a retry with a good file then succeeds.
    /// A staging directory a killed restore left behind is cleared by the next one.
    @Test func aFailedRestoreLeavesNothingAndARetrySucceeds() async throws {
        try await withTemporaryDirectory(prefix: "restore-retry") { root in
            let data = root + "/data"
            var store = try OpenStore(testConfiguration(data))
            try await setUp(&store)
            let good = root + "/good.csbackup"
            let goodReply = try await store.json("BACKUP", good)
            _ = try await store.json("SNAPSHOT")
            await store.directory.close()
            // A record of a type no release writes, after the newest snapshot: checksums fine, store refuses it.
            let snapshot = try #require(try snapshotFiles(data).first)
            let snapshotSequence = try SnapshotReader.readHeader(path: snapshot).sequence
            let last = try JournalScanSummary.lastSequence(data) ?? snapshotSequence
            let journal = try JournalWriter(directory: data, after: max(last, snapshotSequence), logger: durabilityLogger)
            let bad = try await journal.appendDurably(type: 99, payload: [1, 2, 3])
            try journal.close()
            let unusable = root + "/unusable.csbackup"
            try BackupWriter.write(to: unusable, snapshot: snapshot, journalDirectory: data, through: bad)

            let target = root + "/restored"
            let error = await #expect(throws: CallsheetError.self) {
                _ = try await DataDirectoryRestore.restore(from: unusable, into: target, logger: durabilityLogger)
            }
            #expect(error?.code == .unavailable && error?.message.contains("do not open") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: target))
            #expect(!FileManager.default.fileExists(atPath: root + "/.restored.restoring"))

            // A restore killed half-way left its staging directory: the next one clears it.
            try FileManager.default.createDirectory(atPath: root + "/.restored.restoring", withIntermediateDirectories: false)
            FileManager.default.createFile(atPath: root + "/.restored.restoring/journal-00000000000000000001.log", contents: Data([1, 2, 3]))
            let report = try await DataDirectoryRestore.restore(from: good, into: target, logger: durabilityLogger)
            #expect(goodReply["sequence"] == .integer(Int64(report.sequence)))
            #expect(report.organizations == 2 && report.contacts == 60 && report.users == 4)
            #expect(!FileManager.default.fileExists(atPath: root + "/.restored.restoring"))
            // The restored directory is private, like every data directory.
            var status = stat()
            #expect(stat(target, &status) == 0 && status.st_mode & 0o777 == 0o700)
            // Restoring over it is refused, and changes nothing.
            let again = await #expect(throws: CallsheetError.self) {
                _ = try await DataDirectoryRestore.restore(from: good, into: target, logger: durabilityLogger)
            }
            #expect(again?.code == .conflict)
            let reopened = try OpenStore(testConfiguration(target))
            #expect(await reopened.directory.organizationIDs.count == 2)
            await reopened.directory.close()
        }
    }

    /// A bare snapshot still restores, and the report says what it cannot hold.
    @Test func aBareSnapshotRestoresAndSaysWhatIsLost() async throws {
        try await withTemporaryDirectory(prefix: "restore-snapshot") { root in
            var store = try OpenStore(testConfiguration(root + "/data"))
            try await setUp(&store)
            let snapshot = try await store.json("SNAPSHOT")
            await store.run("CONTACT.ADD", contactJSON(7777))
            await store.directory.close()
            guard case .string(let file)? = snapshot["file"], case .integer(let sequence)? = snapshot["sequence"] else { Issue.record("\(snapshot)"); return }
            let report = try await DataDirectoryRestore.restore(from: file, into: root + "/restored", logger: durabilityLogger)
            let loss = try #require(report.loss)
            #expect(loss.contains("journal sequence \(sequence)") && loss.contains("is lost"), "\(loss)")
            #expect(report.contacts == 60, "the contact added after the snapshot is not in it")
        }
    }

    /// BACKUP refuses paths it cannot use, before writing anything.
    @Test func backupPathsAreChecked() async throws {
        try await withTemporaryDirectory(prefix: "backup-paths") { root in
            var store = try OpenStore(testConfiguration(root + "/data"))
            await store.run("ORG.CREATE", "Acme", "ADMIN", "alice")
            FileManager.default.createFile(atPath: root + "/taken", contents: Data([1]))
            for (path, why) in [
                ("relative.csbackup", "absolute path"), (root + "/taken", "exists already"),
                (root + "/missing/b.csbackup", "does not exist"), (root + "/data/b.csbackup", "inside the data directory"),
            ] {
                let reply = await store.run("BACKUP", path)
                #expect(errorCode(reply) == "BAD_REQUEST", "\(path): \(reply)")
                #expect(reply.error?.contains(why) == true, "\(path): \(reply)")
            }
            #expect(errorCode(await store.run("BACKUP")) == "WRONG_ARGS")
            #expect(try snapshotFiles(root + "/data").isEmpty, "nothing was written")
            #expect(try TestFiles.names(root).sorted() == ["data", "taken"])
            await store.directory.close()
        }
    }
}

/// What the writers of a test and the test itself tell each other.
final class Flags: Sendable {
    private let backup = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)
    var backupStarted: Bool { backup.load(ordering: .acquiring) }
    var stopped: Bool { done.load(ordering: .acquiring) }
    func startBackup() { backup.store(true, ordering: .releasing) }
    func stop() { done.store(true, ordering: .releasing) }
}

/// The last sequence the journal segments of a directory hold.
enum JournalScanSummary {
    static func lastSequence(_ directory: String) throws -> UInt64? {
        var last: UInt64?
        _ = try JournalReader.replay(directory: directory, after: 0) { last = $0.sequence }
        return last
    }
}

private extension RESPValue {
    var error: String? {
        if case .error(let text) = self { return text }
        return nil
    }
}
