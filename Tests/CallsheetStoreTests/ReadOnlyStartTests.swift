import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing
@testable import CallsheetStore

#if canImport(Glibc)
import Glibc
#endif

/// A restart while the disk is full (docs/STORAGE.md, "Disk full"): recovery reads everything,
/// reads are served, every write is refused `UNAVAILABLE` saying the disk is full and what to do,
/// no empty journal segment is left behind, and writes resume without a restart once there is room.
@Suite struct ReadOnlyStartTests {
    /// Log lines a test reads back: level, message, metadata.
    final class CapturedLog: Sendable {
        private let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])
        var errors: [(message: String, metadata: Logger.Metadata)] {
            lines.withLock { $0.filter { $0.0 >= .error }.map { ($0.1, $0.2) } }
        }
        func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
            lines.withLock { $0.append((level, message, metadata)) }
        }
        var logger: Logger {
            var logger = Logger(label: "callsheet.read-only.tests") { _ in Handler(log: self) }
            logger.logLevel = .debug
            return logger
        }

        struct Handler: LogHandler {
            let log: CapturedLog
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .debug
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                log.append(event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })
            }
        }
    }

    /// Writes until one is accepted (the probe runs every 20 ms in tests), or ten seconds pass.
    private func waitUntilWritesAreAccepted(_ store: inout OpenStore, _ n: Int) async throws -> RESPValue {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let reply = await store.run("CONTACT.ADD", contactJSON(n))
            if errorCode(reply) != "UNAVAILABLE" || ContinuousClock.now > deadline { return reply }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// What a store that started read-only must do before there is room: serve every read, refuse
    /// every write with the disk-full message, change nothing, and say so in `INFO`.
    private func expectReadOnly(_ store: inout OpenStore, durable: [OrganizationID: OrganizationDump], contacts: Int) async throws {
        let refused = await store.run("CONTACT.ADD", contactJSON(900))
        #expect(errorCode(refused) == "UNAVAILABLE", "\(refused)")
        let text = RESPReplyText(refused).text
        #expect(text.contains("disk holding the data directory is full") && text.contains("read-only") && text.contains("Free space")
                && text.contains("without a restart"), "the message says the disk is full and what to do: \(text)")
        #expect(!text.contains("/"), "no server path in a reply any client reads: \(text)")
        for write in [["CONTACT.UPDATE", "1", #"{"notes":"lost"}"#], ["USER.CREATE", "bob", "ROLE", "admin"], ["DEPT.CREATE", "Sales"],
                      ["CONTACT.DELETE", "2"], ["ORG.SET", "region", "GB"]] {
            #expect(errorCode(await store.run(write)) == "UNAVAILABLE", "\(write[0]) is refused while the disk is full")
        }
        #expect(try await store.json("CONTACT.GET", "1")["name"] == .string("Person 0"), "reads are served")
        #expect(try await store.json("CONTACT.COUNT")["active"] == .integer(Int64(contacts)))
        expectSameState(try await dump(store.directory).organizations, durable, "while read-only", ignoringCounters: true)
        let info = try await store.json("INFO", "JSON")
        #expect(info["journal"]?["healthy"] == .bool(false) && info["journal"]?["read_only"] == .bool(true), "\(info.serialized)")
        #expect(info["journal"]?["reason"]?.stringValue?.contains("is full") == true, "INFO says why: \(info.serialized)")
        let report = await store.directory.recoveryReport
        #expect(report.contains("started read-only"), "\(report)")
    }

    /// Fault injection at segment creation, as the other disk-full tests do: the first segment's
    /// header cannot be written (`ENOSPC`) until the test lets it.
    @Test func fullDiskAtStartServesReadsUntilThereIsRoom() async throws {
        try await withTemporaryDirectory(prefix: "read-only-start") { path in
            var seeded = try await SnapshotCrashTests.seeded(testConfiguration(path), count: 5)
            await seeded.run("CONTACT.UPDATE", "1", #"{"notes":"durable"}"#)
            let durable = try await dump(seeded.directory).organizations
            try await seeded.crash()
            let segmentsBefore = try journalSegments(path)

            let faults = JournalFaultInjection()
            faults.failWrites(errno: ENOSPC)
            var configuration = testConfiguration(path)
            configuration.journalFaultInjection = faults
            let log = CapturedLog()
            var store = OpenStore(try ShardDirectory.open(configuration, logger: log.logger))
            await store.run("USE", "Acme")
            let names = try TestFiles.names(path)
            #expect(try journalSegments(path) == segmentsBefore, "no empty segment is left behind: \(names)")
            try await expectReadOnly(&store, durable: durable, contacts: 5)
            try await Task.sleep(for: .milliseconds(100))
            #expect(faults.attempts(.write) > 2, "the probe keeps trying")
            #expect(try journalSegments(path) == segmentsBefore, "a failed probe leaves no segment either")
            let errors = log.errors
            #expect(errors.count == 1, "logged once at error, not at every probe: \(errors.map(\.message))")
            #expect(errors.first?.metadata["free_bytes"] != nil, "with the free space: \(String(describing: errors.first))")

            faults.clear()
            let accepted = try await waitUntilWritesAreAccepted(&store, 900)
            #expect(errorCode(accepted) == nil, "writes resume without a restart: \(accepted)")
            #expect(try journalSegments(path).count == segmentsBefore.count + 1, "the probe opened the new segment")
            let info = try await store.json("INFO", "JSON")
            #expect(info["journal"]?["read_only"] == .bool(false) && info["journal"]?["reason"] == .null)
            let live = try await dump(store.directory).organizations
            try await store.crash()
            let reopened = try OpenStore(testConfiguration(path))
            expectSameState(try await dump(reopened.directory).organizations, live, "reopened after the disk had room again")
            try await reopened.crash()
        }
    }

    /// The same on a real filesystem that is full: a 1 MiB tmpfs filled to the last byte.
    /// Needs `mount` (root, or a container allowed to mount); skipped otherwise.
    @Test(.enabled(if: SmallFilesystem.canMount, "needs permission to mount a tmpfs"))
    func restartOnARealFullFilesystemIsReadOnlyUntilSpaceReturns() async throws {
        try await withTemporaryDirectory(prefix: "full-fs") { base in
            let filesystem = try SmallFilesystem(at: base + "/fs", bytes: 1 << 20)
            defer { filesystem.unmount() }
            let path = filesystem.path + "/data"
            let seeded = try await SnapshotCrashTests.seeded(testConfiguration(path), count: 5)
            let durable = try await dump(seeded.directory).organizations
            try await seeded.crash()
            let segmentsBefore = try journalSegments(path)
            let filler = try filesystem.fill()
            #expect(FileManager.default.createFile(atPath: filesystem.path + "/probe", contents: Data([1])) == false, "the filesystem is full")

            let log = CapturedLog()
            var store = OpenStore(try ShardDirectory.open(testConfiguration(path), logger: log.logger))
            await store.run("USE", "Acme")
            let names = try TestFiles.names(path)
            #expect(try journalSegments(path) == segmentsBefore, "no 0-byte segment: \(names)")
            try await expectReadOnly(&store, durable: durable, contacts: 5)
            #expect(log.errors.count == 1, "\(log.errors.map(\.message))")
            #expect(log.errors.first?.metadata["free_bytes"].map { "\($0)" } == "0", "\(String(describing: log.errors.first?.metadata))")

            try FileManager.default.removeItem(atPath: filler)
            let accepted = try await waitUntilWritesAreAccepted(&store, 900)
            #expect(errorCode(accepted) == nil, "writes resume once there is room: \(accepted)")
            let live = try await dump(store.directory).organizations
            try await store.crash()
            let reopened = try OpenStore(testConfiguration(path))
            expectSameState(try await dump(reopened.directory).organizations, live, "reopened")
            try await reopened.crash()
        }
    }
}

extension OpenStore {
    /// A store over a directory opened by the test itself (its own logger).
    init(_ directory: ShardDirectory) {
        self.directory = directory
        self.executor = CommandExecutor(directory: directory)
    }
}

/// A tmpfs of a few pages, mounted for one test, so that "disk full" is the kernel's own `ENOSPC`.
struct SmallFilesystem {
    let path: String

    /// Whether this process may mount one (root, outside a locked-down container). Tried once.
    static let canMount: Bool = {
        guard geteuid() == 0, let directory = try? TemporaryDirectory(prefix: "mount-check") else { return false }
        defer { directory.remove() }
        guard let filesystem = try? SmallFilesystem(at: directory.path + "/fs", bytes: 64 << 10) else { return false }
        filesystem.unmount()
        return true
    }()

    init(at path: String, bytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0700", "tmpfs", path]) == 0 else {
            throw POSIXError(.EPERM)
        }
        self.path = path
    }

    /// Writes a file until the filesystem refuses another byte; returns its path.
    func fill() throws -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x46, count: 4096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        while write(fd, [0x46], 1) > 0 {}
        return filler
    }

    func unmount() {
        _ = Self.run("/bin/umount", [path])
    }

    private static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
