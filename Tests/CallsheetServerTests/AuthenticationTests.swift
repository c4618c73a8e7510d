import CallsheetProtocol
import CallsheetServer
import Foundation
import Testing

@Suite("Authentication over TCP")
struct AuthenticationTests {
    @Test("before AUTH only the handshake commands run; the rest get NOAUTH")
    func noAuth() async throws {
        try await withServer { server in
            let client = try await server.connect()
            let replies = try await client.pipeline([
                ["PING"], ["CONTACT.GET", "1"], ["CONTACT.ADD", "{}"], ["INFO"], ["HELLO", "3"], ["HELLO", "2"],
                ["CLIENT", "SETINFO", "LIB-NAME", "redis-py"], ["SELECT", "0"],
            ])
            #expect(replies[0] == .simpleString("PONG"))
            #expect(replies[1].errorText?.hasPrefix("NOAUTH ") == true, "\(replies[1])")
            #expect(replies[2].errorText?.hasPrefix("NOAUTH ") == true)
            #expect(replies[3].errorText?.hasPrefix("NOAUTH ") == true)
            #expect(replies[4].errorText?.hasPrefix("NOPROTO") == true, "\(replies[4])")
            guard case .array = replies[5] else { Issue.record("HELLO 2: \(replies[5])"); return }
            #expect(replies[6] == .ok)
            #expect(replies[7] == .ok)
            #expect(client.isConnected)
            await client.close()
        }
    }

    @Test("an unknown user and a wrong secret get the same error, each delayed, and too many close the connection")
    func authFailure() async throws {
        var limits = ServerFixture.testLimits()
        limits.failedAuthDelay = 0.2
        limits.maxFailedAuthAttempts = 3
        try await withServer(limits: limits) { server in
            let client = try await server.connect()
            let clock = ContinuousClock()
            let started = clock.now
            let unknown = try await client.send(["AUTH", "mallory", "guess"])
            #expect(clock.now - started >= .milliseconds(190))
            let wrong = try await client.send(["AUTH", ServerFixture.admin, "guess"])
            #expect(unknown == wrong)
            #expect(unknown.errorText?.hasPrefix("AUTH_FAILED ") == true, "\(unknown)")
            let third = try await client.pipeline([["AUTH", ServerFixture.admin, "again"]])
            #expect(third[0] == unknown)
            let closing = try await client.readReplies(1)
            #expect(closing[0].errorText?.contains("too many failed attempts") == true, "\(closing)")
            for _ in 0..<100 where client.isConnected { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!client.isConnected)
            #expect(server.server.metrics.authenticationFailures.load(ordering: .relaxed) == 3)

            let good = try await server.connectAdmin()
            #expect(try await good.send(["WHOAMI"]).json?["user"] as? String == ServerFixture.admin)
            await good.close()
        }
    }

    @Test("requests pipelined behind AUTH get the authenticated limits")
    func pipelinedBehindAuth() async throws {
        try await withServer { server in
            let client = try await server.connect()
            let big = String(repeating: "x", count: 20_000)  // over the 4 KiB allowed before AUTH
            let replies = try await client.pipeline([["AUTH", ServerFixture.admin, server.adminSecret], ["PING", big], ["PING"]])
            #expect(replies[0] == .ok)
            #expect(replies[1].string == big, "the large PING was refused: \(replies[1].errorText ?? "")")
            #expect(replies[2] == .simpleString("PONG"))
            await client.close()
        }
    }

    @Test("a connection that does not authenticate in time is closed")
    func authenticationDeadline() async throws {
        var limits = ServerFixture.testLimits()
        limits.authenticationTimeout = 1
        try await withServer(limits: limits) { server in
            let client = try await server.connect()
            #expect(try await client.send(["PING"]) == .simpleString("PONG"))
            // Polled rather than slept: the suite runs in parallel on two cores.
            for _ in 0..<200 where client.isConnected { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!client.isConnected)
            let authenticated = try await server.connectAdmin()
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await authenticated.send(["PING"]) == .simpleString("PONG"))
            await authenticated.close()
        }
    }
}
