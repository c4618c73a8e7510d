import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import CallsheetStore

/// The issue's proof: the real `callsheet serve` process, concurrent writers over TCP, `kill -9`
/// at a random moment, a restart on the same directory, and every acknowledged write checked.
///
/// Rounds: `CALLSHEET_CRASH_ROUNDS` (default 3); `scripts/crash-test N` runs many. Each round prints
/// one `crash round …` line. Needs the `callsheet` executable built (`swift build`).
@Suite(.serialized) struct DurabilityCrashTests {
    @Test func killNineLosesNoAcknowledgedWrite() async throws {
        guard let binary = BuiltProduct.path("callsheet") else {
            Issue.record("the callsheet executable is not built; looked at \(BuiltProduct.candidates("callsheet")). Run `swift build` first.")
            return
        }
        let rounds = Int(ProcessInfo.processInfo.environment["CALLSHEET_CRASH_ROUNDS"] ?? "") ?? 3
        let baseSeed = UInt64(ProcessInfo.processInfo.environment["CALLSHEET_CRASH_SEED"] ?? "") ?? UInt64.random(in: 1...1_000_000)
        for round in 0..<rounds {
            let outcome = try await CrashRound(binary: binary, seed: baseSeed &+ UInt64(round)).run()
            print("crash round \(round + 1)/\(rounds) seed \(baseSeed &+ UInt64(round)): \(outcome)")
        }
    }
}

/// What one writer sent and which of it was acknowledged, per contact it created.
struct AcknowledgedContact: Sendable {
    var id: ContactID
    var phone: String
    /// Every `notes` value sent, in order; the first is the one CONTACT.ADD sent.
    var sentNotes: [String]
    /// How many of `sentNotes` got a success reply (the last acknowledged is `sentNotes[acknowledged - 1]`).
    var acknowledged: Int
}

/// What every writer of a round recorded.
final class AcknowledgementLog: Sendable {
    let entries = Mutex<[AcknowledgedContact]>([])
    /// Acknowledgements so far, counted as they come (entries are recorded when a writer ends).
    let acknowledgements = Atomic<Int>(0)
}

/// One round: create an organization, serve, write from several connections, kill -9, restart, check.
struct CrashRound {
    let binary: String
    let seed: UInt64
    let writers = 6

    func run() async throws -> String {
        let data = try TemporaryDirectory(prefix: "crash")
        defer { data.remove() }
        let secret = try await createOrganization(data.path)

        var random = SeededRandom(seed: seed)
        let (server, port) = try await startServer(data.path)
        let log = AcknowledgementLog()
        let started = ContinuousClock.now
        let writersDone = try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask { try await Self.onThread { try Self.write(writer: writer, port: port, secret: secret, seed: seed, log: log) } }
            }
            // The kill comes a random while after the first acknowledgement, however long a
            // loaded machine takes to start the server and sign the writers in.
            let deadline = ContinuousClock.now + .seconds(60)
            while log.acknowledgements.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let delay = Int.random(in: 200...1200, using: &random)
            try await Task.sleep(for: .milliseconds(delay))
            server.kill(SIGKILL)
            try await group.waitForAll()
            return delay
        }
        let status = try await server.waitForExit(timeout: .seconds(10))
        #expect(status == .signalled(SIGKILL), "the server died by SIGKILL, not on its own: \(status) \(server.errorOutput.suffix(500))")
        let acknowledged = log.entries.withLock { $0 }
        #expect(acknowledged.contains { $0.acknowledged > 0 }, "no write was acknowledged before the kill: the round proves nothing")

        let recoveryStart = ContinuousClock.now
        let (restarted, newPort) = try await startServer(data.path)
        let recovery = ContinuousClock.now - recoveryStart
        let client = try RESPTestClient(port: newPort)
        #expect(try client.call("AUTH", "alice", secret) == .ok)
        var lost: [String] = []
        for contact in acknowledged where contact.acknowledged > 0 {
            let reply = try client.call("CONTACT.GET", String(contact.id))
            guard let text = reply.string, let json = try? JSONValue.parse(text) else {
                lost.append("contact \(contact.id): \(reply)")
                continue
            }
            let allowed = contact.sentNotes[(contact.acknowledged - 1)...].map { JSONValue.string($0) }
            if json["phone"] != .string(contact.phone) || !allowed.contains(json["notes"] ?? .null) {
                lost.append("contact \(contact.id): phone \(String(describing: json["phone"])) notes \(String(describing: json["notes"])), acknowledged \(contact.sentNotes[contact.acknowledged - 1])")
            }
            let byPhone = try client.call("CONTACT.BYPHONE", contact.phone).string.flatMap { try? JSONValue.parse($0) }
            if byPhone?["id"] != .integer(Int64(contact.id)) { lost.append("phone index: \(contact.phone) → \(String(describing: byPhone?["id"]))") }
        }
        #expect(lost.isEmpty, "acknowledged writes missing after kill -9 (seed \(seed)): \(lost.prefix(5))")
        client.close()
        restarted.kill(SIGKILL)
        _ = try await restarted.waitForExit(timeout: .seconds(10))

        // Offline: the files verify and every index agrees with the contacts.
        let directory = try ShardDirectory.open(testConfiguration(data.path), logger: durabilityLogger)
        let state = try await dump(directory)
        #expect(state.problems.isEmpty, "indexes disagree with contacts after recovery: \(state.problems.prefix(3))")
        let contacts = state.organizations.values.reduce(0) { $0 + $1.contacts.count }
        #expect(contacts >= acknowledged.filter { $0.acknowledged > 0 }.count)
        await directory._simulateCrash()
        let updates = acknowledged.reduce(0) { $0 + max($1.acknowledged - 1, 0) }
        return "killed after \(writersDone) ms; \(acknowledged.filter { $0.acknowledged > 0 }.count) acknowledged adds, \(updates) acknowledged updates, \(contacts) contacts recovered, restart \(recovery); \(lost.isEmpty ? "ok" : "LOST \(lost.count)")"
    }

    /// Starts `callsheet serve` on a free port and waits until it accepts connections.
    /// Creates the organization Acme with admin `alice` in `data` (`callsheet org create`); returns her secret.
    func createOrganization(_ data: String) async throws -> String {
        let created = try await ChildProcess.run(binary, ["org", "create", "Acme", "--admin", "alice", "--data", data])
        return try #require(
            created.output.split(separator: "\n").first { $0.hasPrefix("secret: ") }.map { String($0.dropFirst(8)) },
            "org create printed no secret: \(created.output) \(created.error)")
    }

    func startServer(_ data: String) async throws -> (ChildProcess, Int) {
        for _ in 0..<5 {
            let port = try TCPConnection.freePort()
            let server = try ChildProcess.start(binary, ["serve", "--data", data, "--port", String(port), "--log-level", "warning"])
            do {
                let probe = try await TCPConnection.waitUntilAccepting(port: port, timeout: .seconds(30))
                probe.close()
                return (server, port)
            } catch {
                server.kill(SIGKILL)
                _ = try? await server.waitForExit(timeout: .seconds(5))
                if server.errorOutput.contains("in use") { continue }
                throw ChildProcess.Failure(description: "serve did not start: \(server.errorOutput.suffix(1000))")
            }
        }
        throw ChildProcess.Failure(description: "no free port for serve")
    }

    /// One writer connection: adds contacts (phones unique to the writer) and updates its own,
    /// recording each success reply, until the server dies.
    static func write(writer: Int, port: Int, secret: String, seed: UInt64, log: AcknowledgementLog) throws {
        // On a loaded machine the kill can come before a writer's thread even connects: that
        // writer simply has nothing acknowledged (the round checks that some writer has).
        guard let client = try? RESPTestClient(port: port), (try? client.call("AUTH", "alice", secret)) == .ok else { return }
        var random = SeededRandom(seed: seed &* 31 &+ UInt64(writer))
        var mine: [AcknowledgedContact] = []
        defer { log.entries.withLock { $0 += mine } }
        var n = 0
        while true {
            n += 1
            if !mine.isEmpty, Int.random(in: 0...2, using: &random) == 0 {
                let index = Int.random(in: 0..<mine.count, using: &random)
                let notes = "w\(writer) update \(n)"
                mine[index].sentNotes.append(notes)
                guard let reply = try? client.call("CONTACT.UPDATE", String(mine[index].id), #"{"notes":"\#(notes)"}"#) else { return }
                if errorCode(reply) == nil {
                    mine[index].acknowledged = mine[index].sentNotes.count
                    log.acknowledgements.add(1, ordering: .relaxed)
                }
            } else if writer == 0, n % 150 == 0 {
                guard (try? client.call("SNAPSHOT")) != nil else { return }
            } else {
                let phone = testPhone(writer * 100_000 + n)
                let notes = "w\(writer) add \(n)"
                guard let reply = try? client.call("CONTACT.ADD", #"{"name":"Writer \#(writer) no \#(n)","phone":"\#(phone)","notes":"\#(notes)","tags":["w\#(writer)"]}"#) else { return }
                guard errorCode(reply) == nil, let text = reply.string, case .integer(let id)? = try? JSONValue.parse(text)["id"] else { continue }
                let normalized: String
                if case .string(let e164)? = try? JSONValue.parse(text)["phone"] { normalized = e164 } else { normalized = phone }
                mine.append(AcknowledgedContact(id: ContactID(id), phone: normalized, sentNotes: [notes], acknowledged: 1))
                log.acknowledgements.add(1, ordering: .relaxed)
            }
        }
    }

    /// Runs blocking socket work on its own thread, off the cooperative pool.
    static func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let thread = Thread {
                do { try body(); continuation.resume() } catch { continuation.resume(throwing: error) }
            }
            thread.start()
        }
    }
}

/// A blocking RESP client over ``TCPConnection``: one request, one reply.
final class RESPTestClient: @unchecked Sendable {  // used by one thread at a time
    private let connection: TCPConnection
    private var decoder = ReplyDecoder()
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        connection = try TCPConnection(port: port, timeout: .seconds(20))
    }

    func call(_ arguments: String...) throws -> RESPValue {
        try connection.send(RESPValue.command(arguments).encoded)
        while true {
            if !buffer.isEmpty, let reply = try decoder.decode(buffer) {
                buffer.removeFirst(reply.consumedBytes)
                return reply.value
            }
            let bytes = try connection.receive()
            guard !bytes.isEmpty else { throw TCPConnection.Failure(description: "connection closed", errno: 0) }
            buffer += bytes
        }
    }

    func close() { connection.close() }
}
