import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import Foundation
import TestSupport
import Testing

/// `kill -9` of a real `callsheet serve` while it erases a person: wherever the kill lands (before
/// the erasure is journaled, during its snapshot, while it deletes old files, before the receipt
/// says disk is clean), the directory starts again, the erasure completes (the scheduler finishes
/// a pending one; one never journaled is asked again), and no byte of the directory holds the person.
@Suite(.serialized) struct ErasureCrashTests {
    @Test func killNineDuringAnErasureLeavesAStartableDirectoryAndNoTrace() async throws {
        guard let binary = BuiltProduct.path("callsheet") else {
            Issue.record("the callsheet executable is not built; looked at \(BuiltProduct.candidates("callsheet")). Run `swift build` first.")
            return
        }
        let rounds = Int(ProcessInfo.processInfo.environment["CALLSHEET_ERASURE_ROUNDS"] ?? "") ?? 4
        for round in 0..<rounds {
            // Early kills land before the record is journaled; later ones in the snapshot and clean-up.
            let delay = [0, 2, 8, 25, 60, 120][round % 6] + Int.random(in: 0...3)
            let outcome = try await Self.round(binary: binary, delay: delay)
            print("erasure crash round \(round + 1)/\(rounds): killed after \(delay) ms: \(outcome)")
        }
    }

    static func round(binary: String, delay: Int) async throws -> String {
        let data = try TemporaryDirectory(prefix: "erasure-crash")
        defer { data.remove() }
        let crash = CrashRound(binary: binary, seed: 1)
        let secret = try await crash.createOrganization(data.path)
        var (server, port) = try await crash.startServer(data.path)
        let marker = "Qzxw\(Int.random(in: 100_000...999_999))"
        let client = try RESPTestClient(port: port)
        #expect(try client.call("AUTH", "alice", secret) == .ok)
        let added = try client.call("CONTACT.ADD", #"{"name":"\#(marker) Person","phone":"+16502537001","email":"\#(marker.lowercased())@example.com","notes":"\#(marker) notes"}"#)
        guard let text = added.string, case .integer(let id)? = try JSONValue.parse(text)["id"] else { Issue.record("\(added)"); return "no contact" }
        for n in 0..<300 { _ = try client.call("CONTACT.ADD", #"{"name":"Other \#(n)","phone":"+1212555\#(String(1000 + n))"}"#) }
        _ = try client.call("CALL.LOG", String(id), #"{"outcome":"completed","notes":"\#(marker) call"}"#)
        _ = try client.call("CONSENT.SET", String(id), "phone", "any", "GRANTED", "SOURCE", "\(marker) form")
        _ = try client.call("SNAPSHOT")
        _ = try client.call("CONTACT.UPDATE", String(id), #"{"notes":"\#(marker) later"}"#)
        // The erasure on its own thread; the kill a while after it is sent.
        let eraser = Thread { _ = try? client.call("CONTACT.ERASE", String(id)) }
        eraser.start()
        try await Task.sleep(for: .milliseconds(delay))
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        client.close()

        (server, port) = try await crash.startServer(data.path)
        let again = try RESPTestClient(port: port)
        #expect(try again.call("AUTH", "alice", secret) == .ok)
        var how: String
        if errorCode(try again.call("CONTACT.GET", String(id))) == nil {
            how = "not journaled before the kill: erased again"
            let receipt = try again.call("CONTACT.ERASE", String(id))
            #expect(receipt.string.flatMap { try? JSONValue.parse($0)["disk_clean_at"] } != .null, "\(receipt)")
        } else {
            how = "journaled: finished by the scheduler"
            var clean = false
            for _ in 0..<300 where !clean {
                let list = try again.call("ERASURE.LIST").string.flatMap { try? JSONValue.parse($0) }
                if case .array(let receipts)? = list, let first = receipts.first, first["disk_clean_at"] != .null { clean = true } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(clean, "a pending erasure was not finished after a restart")
        }
        #expect(try again.call("CONTACT.COUNT").string?.contains("\"active\":300") == true)
        again.close()
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        let files = try ComplianceTests.dataBytes(data.path)
        let hits = ComplianceTests.hits(marker, in: files)
        #expect(hits.isEmpty, "the person outlived a crashed erasure in \(hits)")
        return how + (hits.isEmpty ? "; no trace" : "; TRACE in \(hits)")
    }
}
