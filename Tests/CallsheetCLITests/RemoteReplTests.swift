import Foundation
import TestSupport
import Testing

/// `callsheet repl --connect` against a real `callsheet serve` process.
@Suite struct RemoteReplTests {
    @Test func replOverTCP() async throws {
        let data = CLIProcess.temporaryPath("remote")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let created = try CLIProcess.run(["org", "create", "Acme", "--admin", "alice", "--data", data])
        let secret = try #require(created.lines.first { $0.hasPrefix("secret: ") }?.dropFirst(8)).description
        let port = try TCPConnection.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLIProcess.binary)
        server.arguments = ["serve", "--data", data, "--port", "\(port)", "--log-level", "warning"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        var answered = false
        for _ in 0..<100 where !answered {
            let probe = try CLIProcess.run(["repl", "--connect", "127.0.0.1:\(port)"], input: "PING\n")
            answered = probe.output.contains("PONG")
            if !answered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(answered, "the server did not answer on port \(port)")
        let session = """
            WHOAMI
            CONTACT.ADD {"name": "Ann Lee", "phone": "(650) 253-0000"}
            CONTACT.BYPHONE 650.253.0000
            CONTACT.GET 999
            HELP CONTACT.CALLERID
            QUIT
            PING

            """
        let result = try CLIProcess.run(["repl", "--connect", "127.0.0.1:\(port)", "--user", "alice"], input: session,
                                        environment: ["CALLSHEET_SECRET": secret])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.lines
        #expect(lines.first?.contains(#""user":"alice","role":"admin""#) == true, "\(lines)")
        #expect(lines.contains { $0.contains(#""name":"Ann Lee","phone":"+16502530000""#) })
        #expect(lines.contains("(error) NOT_FOUND no contact with id 999"))
        #expect(lines.contains { $0.hasPrefix("CONTACT.CALLERID <digits> [LIMIT <n>]") })
        // QUIT ends the session: the PING after it is never sent.
        #expect(lines.last == "OK")
        // A remote export lands in a local file; a local file is uploaded for an import.
        let local = data + "-export.csv"
        let upload = data + "-upload.csv"
        defer { try? FileManager.default.removeItem(atPath: local); try? FileManager.default.removeItem(atPath: upload) }
        try "Name,Phone\nBea Ray,+16502530002\n".write(toFile: upload, atomically: true, encoding: .utf8)
        let transfer = try CLIProcess.run(["repl", "--connect", "127.0.0.1:\(port)", "--user", "alice"],
                                          input: "IMPORT.COMMIT FILE \(upload)\nEXPORT csv MATCH * COLUMNS name,phone TO \(local)\n",
                                          environment: ["CALLSHEET_SECRET": secret])
        #expect(transfer.status == 0, "\(transfer.error)")
        #expect(transfer.lines.first?.contains(#""created":1"#) == true, "\(transfer.lines)")
        #expect(transfer.lines.last?.contains(#""rows":2"#) == true, "\(transfer.lines)")
        let exported = try String(contentsOfFile: local, encoding: .utf8)
        #expect(exported == "Name,Phone\r\nAnn Lee,'+16502530000\r\nBea Ray,'+16502530002\r\n", "\(exported)")
        let wrong = try CLIProcess.run(["repl", "--connect", "127.0.0.1:\(port)", "--user", "alice"], input: "PING\n",
                                       environment: ["CALLSHEET_SECRET": "wrong"])
        #expect(wrong.status != 0)
        #expect(wrong.error.contains("AUTH_FAILED"))
    }
}
