import CallsheetCore
import CallsheetStore
import CallsheetStorage
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every file of a data directory is private to its owner, whatever the umask (issue 10).
@Suite(.serialized) struct PermissionsTests {
    /// Every file and directory below `path` (itself included) with its permission bits.
    func modes(_ path: String) -> [(String, mode_t, Bool)] {
        var result: [(String, mode_t, Bool)] = []
        var status = stat()
        if stat(path, &status) == 0 { result.append((path, status.st_mode & 0o777, true)) }
        let entries = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
        for relative in entries {
            let item = path + "/" + relative
            guard lstat(item, &status) == 0 else { continue }
            result.append((relative, status.st_mode & 0o777, status.st_mode & S_IFMT == S_IFDIR))
        }
        return result
    }

    @Test func filesAreOwnerOnlyWhateverTheUmask() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        let path = NSTemporaryDirectory() + "callsheet-permissions-\(UUID().uuidString)"
        // A directory someone made open to everyone, with a file left readable.
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: path + "/notes.txt", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644])
        defer { try? FileManager.default.removeItem(atPath: path) }
        umask(0o022)
        let directory = try ShardDirectory.open(StoreConfiguration(directory: path), logger: .init(label: "test"))
        let executor = CommandExecutor(directory: directory)
        var owner = Session(isLocalOwner: true)
        _ = await executor.execute(["ORG.CREATE", "Acme"], session: &owner)
        _ = await executor.execute(["CONTACT.ADD", #"{"name":"Ann","phone":"+16502530000"}"#], session: &owner)
        _ = await executor.execute(["IMPORT.COMMIT", "CSV", "Name,Phone\nBen,+16502530001\nbad,x\n"], session: &owner)
        _ = await executor.execute(["SNAPSHOT"], session: &owner)
        await directory.close()
        let found = modes(path)
        #expect(found.count >= 6, "\(found)")
        for (name, mode, isDirectory) in found {
            #expect(mode == (isDirectory ? 0o700 : 0o600), "\(name) is \(String(mode, radix: 8))")
        }
    }
}

/// Small things an operator reads (issue 10).
@Suite struct OperatorFiguresTests {
    @Test func infoReportsTheSnapshotSizeAfterARestart() async throws {
        let path = NSTemporaryDirectory() + "callsheet-info-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var owner = Session(isLocalOwner: true)
        let first = try ShardDirectory.open(StoreConfiguration(directory: path), logger: .init(label: "test"))
        _ = await CommandExecutor(directory: first).execute(["ORG.CREATE", "Acme"], session: &owner)
        await first.close()
        let second = try ShardDirectory.open(StoreConfiguration(directory: path), logger: .init(label: "test"))
        owner = Session(isLocalOwner: true)
        let info = try JSONValue.parse(await CommandExecutor(directory: second).execute(["INFO", "JSON"], session: &owner).string ?? "")
        guard case .integer(let bytes)? = info["snapshot"]?["bytes"] else {
            Issue.record("no snapshot.bytes in \(info.serialized)")
            await second.close()
            return
        }
        #expect(bytes > 0)
        await second.close()
    }
}

extension OperatorFiguresTests {
    @Test func aStopWhoseFinalSnapshotFailsSaysSo() async throws {
        let path = NSTemporaryDirectory() + "callsheet-unclean-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let faults = JournalFaultInjection()
        var configuration = StoreConfiguration(directory: path)
        configuration.snapshotFaultInjection = faults
        let directory = try ShardDirectory.open(configuration, logger: .init(label: "test"))
        var owner = Session(isLocalOwner: true)
        _ = await CommandExecutor(directory: directory).execute(["ORG.CREATE", "Acme"], session: &owner)
        faults.fail(.rename)
        let problems = await directory.close()
        #expect(problems.count == 1)
        #expect(problems.first?.contains("final snapshot failed") == true, "\(problems)")
        // Nothing acknowledged was lost: the journal has it.
        let reopened = try ShardDirectory.open(StoreConfiguration(directory: path), logger: .init(label: "test"))
        #expect(await reopened.organizationIDs.count == 1)
        #expect(await reopened.close().isEmpty)
    }
}

extension OperatorFiguresTests {
    @Test func leftoversOfAnInterruptedProcessAreRemovedAtOpen() async throws {
        let path = NSTemporaryDirectory() + "callsheet-leftovers-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path + "/.journal-probe", contents: Data(repeating: 0x50, count: 512))
        FileManager.default.createFile(atPath: path + "/snapshot-00000000000000000007.zst.tmp", contents: Data())
        let directory = try ShardDirectory.open(StoreConfiguration(directory: path), logger: .init(label: "test"))
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        #expect(!names.contains(".journal-probe") && !names.contains { $0.hasSuffix(".tmp") }, "\(names)")
        await directory.close()
    }
}
