import CallsheetServer
import Foundation
import Testing

@Suite("Log escaping")
struct LogEscapingTests {
    @Test("a user name with newlines and escape codes is logged escaped, on one line")
    func userNameIsEscaped() async throws {
        try await withServeProcess { server in
            let client = try await CallsheetClient.connect(host: "127.0.0.1", port: try #require(server.port))
            let forged = "eve\nFORGED-LINE info: admin signed in\r\u{1B}[2J"
            let reply = try await client.send(["AUTH", forged, "wrong"])
            #expect(reply.errorText?.hasPrefix("AUTH_FAILED") == true)
            #expect(await eventually(10) { server.log.contains("authentication failed") }, "\(server.log.suffix(1000))")
            let log = server.log
            #expect(log.contains(#"eve\nFORGED-LINE info: admin signed in\r\u{1b}[2J"#), "\(log.suffix(1000))")
            #expect(!log.split(separator: "\n").contains { $0.hasPrefix("FORGED-LINE") }, "\(log.suffix(1000))")
            #expect(!log.contains("\u{1B}"))
            await client.close()
        }
    }
}
