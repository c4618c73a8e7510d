import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import Foundation
import TestSupport
import Testing

/// `kill -9` of a real `callsheet serve` while it moves calls into cold storage: wherever the kill
/// lands (encoding, writing the segment, before or after its journal record), the directory starts
/// again, every call reads as it did, and no segment file is left that the catalogue does not name.
@Suite(.serialized) struct ColdStorageCrashTests {
    @Test func killNineDuringAColdMoveLosesNoCall() async throws {
        guard let binary = BuiltProduct.path("callsheet") else {
            Issue.record("the callsheet executable is not built; looked at \(BuiltProduct.candidates("callsheet")). Run `swift build` first.")
            return
        }
        let rounds = Int(ProcessInfo.processInfo.environment["CALLSHEET_COLD_ROUNDS"] ?? "") ?? 6
        for round in 0..<rounds {
            let delay = [0, 10, 40, 120, 300, 800][round % 6] + Int.random(in: 0...3)
            print("cold move crash round \(round + 1)/\(rounds): killed after \(delay) ms: \(try await Self.round(binary: binary, delay: delay))")
        }
    }

    /// `kill -9` while a sweep rewrites a segment after a merge and deletes the one it replaced
    /// (no snapshot names it): the directory starts, reads answer as merged, and once a snapshot
    /// follows only the catalogue's segment is left.
    @Test func killNineDuringARewriteAndItsDeletionLosesNothing() async throws {
        guard let binary = BuiltProduct.path("callsheet") else {
            Issue.record("the callsheet executable is not built; looked at \(BuiltProduct.candidates("callsheet")). Run `swift build` first.")
            return
        }
        let rounds = Int(ProcessInfo.processInfo.environment["CALLSHEET_COLD_ROUNDS"] ?? "") ?? 6
        for round in 0..<rounds {
            let delay = [0, 5, 20, 60, 150, 400][round % 6] + Int.random(in: 0...3)
            print("cold rewrite crash round \(round + 1)/\(rounds): killed after \(delay) ms: \(try await Self.rewriteRound(binary: binary, delay: delay))")
        }
    }

    static func rewriteRound(binary: String, delay: Int) async throws -> String {
        let data = try TemporaryDirectory(prefix: "cold-rewrite-crash")
        defer { data.remove() }
        let crash = CrashRound(binary: binary, seed: 2)
        let secret = try await crash.createOrganization(data.path)
        var (server, port) = try await crash.startServer(data.path)
        let client = try RESPTestClient(port: port)
        #expect(try client.call("AUTH", "alice", secret) == .ok)
        var contacts: [Int64] = []
        for n in 0..<20 {
            let added = try client.call("CONTACT.ADD", #"{"name":"Person \#(n / 2)","phone":"+1212555\#(String(1000 + n))"}"#)
            guard let text = added.string, case .integer(let id)? = try JSONValue.parse(text)["id"] else { Issue.record("\(added)"); return "no contact" }
            contacts.append(id)
        }
        for day in 0..<400 {
            let at = TimestampFormat.iso8601(Timestamp(1_735_689_600_000) + Timestamp(day) * 3_600_000)
            _ = try client.call("CALL.LOG", String(contacts[day % contacts.count]), #"{"outcome":"completed","at":"\#(at)","notes":"note \#(day)"}"#)
        }
        #expect(try client.call("RETENTION.SET", "cold_call_days", "30").string != nil)
        _ = try client.call("RETENTION.RUN")
        // Pairs merged: their cold calls move, so the next sweep rewrites the segment.
        for pair in stride(from: 0, to: contacts.count, by: 2) {
            let merged = try client.call("CONTACT.MERGE", String(contacts[pair]), String(contacts[pair + 1]))
            #expect(merged.string != nil, "\(merged)")
        }
        let before = try history(client, contacts)
        let files = { ((try? FileManager.default.contentsOfDirectory(atPath: data.path + "/cold/1")) ?? []).sorted() }
        #expect(files() == ["segment-1.cold"])
        let sweeper = Thread { _ = try? client.call("RETENTION.RUN") }
        sweeper.start()
        try await Task.sleep(for: .milliseconds(delay))
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        client.close()
        let left = files()

        (server, port) = try await crash.startServer(data.path)
        let again = try RESPTestClient(port: port)
        #expect(try again.call("AUTH", "alice", secret) == .ok)
        #expect(try history(again, contacts) == before, "calls read differently after a kill during a rewrite (files \(left))")
        _ = try again.call("RETENTION.RUN")
        _ = try again.call("SNAPSHOT")
        #expect(files() == ["segment-2.cold"], "after the rewrite and a snapshot (at the kill: \(left))")
        #expect(try history(again, contacts) == before, "after the rewrite that followed")
        again.close()
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        return "files at the kill: \(left)"
    }

    static func history(_ client: RESPTestClient, _ contacts: [Int64]) throws -> [String] {
        try contacts.map { try client.call("CALL.HISTORY", String($0), "LIMIT", "1000").string ?? "?" } + [try client.call("CALL.LIST", "LIMIT", "1000").string ?? "?"]
    }

    static func round(binary: String, delay: Int) async throws -> String {
        let data = try TemporaryDirectory(prefix: "cold-crash")
        defer { data.remove() }
        let created = try await ChildProcess.run(binary, ["org", "create", "Acme", "--admin", "alice", "--data", data.path])
        let secret = try #require(created.output.split(separator: "\n").first { $0.hasPrefix("secret: ") }.map { String($0.dropFirst(8)) })
        let crash = CrashRound(binary: binary, seed: 1)
        var (server, port) = try await crash.startServer(data.path)
        let client = try RESPTestClient(port: port)
        #expect(try client.call("AUTH", "alice", secret) == .ok)
        var contacts: [Int64] = []
        for n in 0..<40 {
            let added = try client.call("CONTACT.ADD", #"{"name":"Person \#(n)","phone":"+1212555\#(String(1000 + n))"}"#)
            guard let text = added.string, case .integer(let id)? = try JSONValue.parse(text)["id"] else { Issue.record("\(added)"); return "no contact" }
            contacts.append(id)
        }
        for day in 0..<600 {
            let at = TimestampFormat.iso8601(Timestamp(1_735_689_600_000) + Timestamp(day) * 3_600_000)
            _ = try client.call("CALL.LOG", String(contacts[day % contacts.count]), #"{"outcome":"completed","at":"\#(at)","notes":"note \#(day)"}"#)
        }
        let before = try history(client, contacts)
        #expect(try client.call("RETENTION.SET", "cold_call_days", "30").string != nil)
        let mover = Thread { _ = try? client.call("RETENTION.RUN") }
        mover.start()
        try await Task.sleep(for: .milliseconds(delay))
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        client.close()

        (server, port) = try await crash.startServer(data.path)
        let again = try RESPTestClient(port: port)
        #expect(try again.call("AUTH", "alice", secret) == .ok)
        #expect(try history(again, contacts) == before, "calls read differently after a kill during a cold move")
        func cold() throws -> Int64 {
            let info = try again.call("INFO", "JSON").string.flatMap { try? JSONValue.parse($0) }
            // A tenant's INFO: its own organization's figures.
            guard case .integer(let calls)? = info?["organization"]?["cold_calls"]?["calls"] else { return -1 }
            return calls
        }
        let coldAtStart = try cold()
        // The move (again, or for the first time: the restarted server's own sweep may be at it;
        // RETENTION.RUN waits for it) leaves every call cold, in one file, answering alike.
        _ = try again.call("RETENTION.RUN")
        #expect(try cold() == 600)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: data.path + "/cold/1")) ?? []).sorted()
        #expect(files.count == 1, "files \(files)")
        #expect(try history(again, contacts) == before, "after the move that followed")
        again.close()
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        return coldAtStart == 600 ? "the move was journaled before the kill (or redone at once by the restarted server's sweep)" : "the move was not journaled (\(coldAtStart) cold at the restart)"
    }
}
