// Durability benchmark (run by hand through scripts/bench/durability.sh, never by the tests).
//
//   DurabilityBench load COUNT DIR        load COUNT generated contacts (fsync no), snapshot, reopen, index strategies
//   DurabilityBench writes DIR N WRITERS  durable CONTACT.ADD throughput in-process at fsync always
//   DurabilityBench tcp PORT SECRET N WRITERS   the same over TCP against a running `callsheet serve`
import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import CallsheetStore
import ContactGenerator
import Foundation
import Logging
import Synchronization

let logger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}()

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    return (value, seconds(ContinuousClock.now - start))
}

func report(_ key: String, _ value: Any) { print("\(key)=\(value)") }

func configuration(_ directory: String, fsync: FsyncPolicy) -> StoreConfiguration {
    var configuration = StoreConfiguration(directory: directory)
    configuration.fsyncPolicy = fsync
    configuration.snapshotEveryRecords = 0
    configuration.snapshotEverySeconds = 0
    return configuration
}

/// CONTACT.ADD from `writers` concurrent sessions over `lines`; returns (acknowledged, seconds).
func addConcurrently(_ executor: CommandExecutor, _ lines: [String], writers: Int) async -> (Int, Double) {
    let (acknowledged, elapsed) = await measure {
        await withTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var session = Session(isLocalOwner: true)
                    _ = await executor.execute(["USE", "Acme"], session: &session)
                    var ok = 0
                    var index = writer
                    while index < lines.count {
                        if case .bulkString = await executor.execute(["CONTACT.ADD", lines[index]], session: &session) { ok += 1 }
                        index += writers
                    }
                    return ok
                }
            }
            return await group.reduce(0, +)
        }
    }
    return (acknowledged, elapsed)
}

func generated(_ count: Int, seed: UInt64) -> [String] {
    var generator = ContactGenerator(seed: seed, duplicatePhoneRate: 0)
    return (0..<count).map { _ in ContactJSON.object(generator.next()) }
}

func load(count: Int, directory: String) async throws {
    let lines = generated(count, seed: 1)
    report("contact_json_bytes_average", lines.reduce(0) { $0 + $1.utf8.count } / max(lines.count, 1))
    var store = try ShardDirectory.open(configuration(directory, fsync: .no), logger: logger)
    let executor = CommandExecutor(directory: store)
    var session = Session(isLocalOwner: true)
    _ = await executor.execute(["ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice"], session: &session)
    let (loaded, loadSeconds) = await addConcurrently(executor, lines, writers: 8)
    report("loaded_contacts", loaded)
    report("load_seconds_fsync_no", String(format: "%.2f", loadSeconds))

    let (snapshot, snapshotSeconds) = try await measure { try await store.snapshot() }
    var bytes = 0
    if case .integer(let n)? = snapshot["bytes"] { bytes = Int(n) }
    report("snapshot_seconds", String(format: "%.2f", snapshotSeconds))
    report("snapshot_bytes", bytes)
    report("snapshot_bytes_per_contact", String(format: "%.1f", Double(bytes) / Double(max(loaded, 1))))
    report("resident_bytes_loaded", ProcessMemory.residentBytes())
    await store.close()

    // Restore: open on the snapshot (the journal after it is empty) until a query answers.
    let (reopened, openSeconds) = try await measure { () async throws -> ShardDirectory in
        let directory = try ShardDirectory.open(configuration(directory, fsync: .always), logger: logger)
        var session = Session(isLocalOwner: true)
        let executor = CommandExecutor(directory: directory)
        _ = await executor.execute(["USE", "Acme"], session: &session)
        _ = await executor.execute(["CONTACT.GET", "1"], session: &session)
        return directory
    }
    store = reopened
    report("restore_open_seconds", String(format: "%.2f", openSeconds))

    // Index strategies: the same bytes decoded alone, vs decoded and applied (indexes rebuilt).
    let file = try require_(SnapshotFile.list(in: directory).first?.path)
    let (loadedFile, readSeconds) = try await measure { try SnapshotReader.load(path: file) }
    report("snapshot_read_decompress_verify_seconds", String(format: "%.2f", readSeconds))
    report("snapshot_content_bytes", loadedFile.content.count)
    guard let shard = await store.shard(1) else { return }
    let contacts = try await shard.read { state in state.orderedIDs.compactMap { state.contacts[$0] } }
    let organization = try await shard.read { $0.organization }
    let payload = RecordCodec.encode(ChangeSet(organizationID: 1, changes: contacts.map { .putContact($0) }))
    let (decoded, decodeSeconds) = try await measure { try RecordCodec.decodeChangeSet(payload) }
    report("decode_only_seconds", String(format: "%.2f", decodeSeconds))
    let (rebuilt, indexSeconds) = await measure { () -> OrganizationState in
        var state = OrganizationState(organization: organization)
        state.apply(decoded.changes)
        return state
    }
    report("apply_and_index_rebuild_seconds", String(format: "%.2f", indexSeconds))
    report("text_index_bytes", rebuilt.textIndex.memoryFootprint)
    report("phone_index_entries", rebuilt.phoneIndex.count)
    let (phoneOnly, phoneSeconds) = await measure { () -> [String: ContactID] in
        var map: [String: ContactID] = [:]
        map.reserveCapacity(contacts.count)
        for contact in decoded.changes { if case .putContact(let c) = contact { map[c.phone] = c.id } }
        return map
    }
    report("phone_map_insert_seconds", String(format: "%.2f", phoneSeconds))
    _ = phoneOnly.count
    await store.close()
}

func writes(directory: String, count: Int, writers: Int) async throws {
    let store = try ShardDirectory.open(configuration(directory, fsync: .always), logger: logger)
    let executor = CommandExecutor(directory: store)
    var session = Session(isLocalOwner: true)
    _ = await executor.execute(["ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice"], session: &session)
    let lines = generated(count, seed: 7)
    let (acknowledged, elapsed) = await addConcurrently(executor, lines, writers: writers)
    report("inprocess_writers", writers)
    report("inprocess_acknowledged", acknowledged)
    report("inprocess_writes_per_second", String(format: "%.0f", Double(acknowledged) / elapsed))
    let info = await store.info(for: .owner, shard: nil)
    if case .object(let members) = info, let journal = members.first(where: { $0.0 == "journal" })?.1 {
        report("inprocess_journal", journal.serialized)
    }
    await store.close()
}

/// Blocking RESP over TCP, one thread per connection.
func tcp(port: Int, secret: String, count: Int, writers: Int) throws {
    let lines = generated(count, seed: 11)
    let group = DispatchGroup()
    final class Tally: Sendable { let value = Mutex<(acknowledged: Int, failures: [String])>((0, [])) }
    let tally = Tally()
    let start = ContinuousClock.now
    for writer in 0..<writers {
        group.enter()
        Thread {
            defer { group.leave() }
            do {
                let connection = try BlockingConnection(port: port)
                _ = try connection.call(["AUTH", "alice", secret])
                var ok = 0
                var index = writer
                while index < lines.count {
                    if case .bulkString = try connection.call(["CONTACT.ADD", lines[index]]) { ok += 1 }
                    index += writers
                }
                tally.value.withLock { $0.acknowledged += ok }
            } catch {
                tally.value.withLock { $0.failures.append("\(error)") }
            }
        }.start()
    }
    group.wait()
    let elapsed = seconds(ContinuousClock.now - start)
    let (acknowledged, failures) = tally.value.withLock { $0 }
    report("tcp_writers", writers)
    report("tcp_acknowledged", acknowledged)
    report("tcp_writes_per_second", String(format: "%.0f", Double(acknowledged) / elapsed))
    if !failures.isEmpty { report("tcp_failures", failures.prefix(3)) }
}

final class BlockingConnection {
    let descriptor: Int32
    var decoder = ReplyDecoder()
    var buffer: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(4))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw BenchError("connect to \(port) failed") }
    }

    func call(_ arguments: [String]) throws -> RESPValue {
        let bytes = RESPValue.command(arguments).encoded
        guard bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { throw BenchError("send failed") }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if !buffer.isEmpty, let reply = try decoder.decode(buffer) {
                buffer.removeFirst(reply.consumedBytes)
                return reply.value
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw BenchError("connection closed") }
            buffer += chunk[0..<count]
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func require_<T>(_ value: T?) throws -> T {
    guard let value else { throw BenchError("missing value") }
    return value
}


let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "load":
    try await load(count: Int(arguments.dropFirst().first ?? "") ?? 1_000_000, directory: arguments.dropFirst(2).first ?? "/tmp/bench-durability")
case "open":
    // Restore time alone on an existing data directory (e.g. the one `load` left).
    let directory = arguments.dropFirst().first ?? "/tmp/bench-durability"
    let start = ContinuousClock.now
    let store = try ShardDirectory.open(configuration(directory, fsync: .always), logger: logger)
    var session = Session(isLocalOwner: true)
    let executor = CommandExecutor(directory: store)
    _ = await executor.execute(["USE", "1"], session: &session)
    let reply = await executor.execute(["CONTACT.GET", "1"], session: &session)
    report("restore_open_seconds", String(format: "%.2f", seconds(ContinuousClock.now - start)))
    report("first_query_answered", reply.string != nil)
    await store.close()
case "writes":
    try await writes(directory: arguments.dropFirst().first ?? "/tmp/bench-writes", count: Int(arguments.dropFirst(2).first ?? "") ?? 20_000,
                     writers: Int(arguments.dropFirst(3).first ?? "") ?? 50)
case "tcp":
    let rest = Array(arguments.dropFirst())
    try tcp(port: Int(rest[0]) ?? 7878, secret: rest[1], count: Int(rest.count > 2 ? rest[2] : "") ?? 20_000, writers: Int(rest.count > 3 ? rest[3] : "") ?? 50)
default:
    print("usage: DurabilityBench load COUNT DIR | writes DIR COUNT WRITERS | tcp PORT SECRET COUNT WRITERS")
}
