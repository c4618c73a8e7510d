import CallsheetProtocol
import CallsheetServer
import Foundation
import NIOCore
import Synchronization
import Testing

/// The holes issue 9 found around `AUTH`, each over a real socket.
@Suite("Sign-in hardening")
struct SignInHardeningTests {
    @Test("an AUTH with a non-UTF-8 argument is refused and the pre-login limits stay in force")
    func nonUTF8AuthKeepsPreLoginLimits() async throws {
        try await withServer { server in
            let client = try await server.connect()
            var bytes = Array("*3\r\n$4\r\nAUTH\r\n$2\r\n".utf8) + [0xFF, 0xFE] + Array("\r\n$1\r\nx\r\n".utf8)
            // Over the pre-login bulk limit (4096), under the post-login one.
            bytes += Array("*2\r\n$4\r\nPING\r\n$5000\r\n".utf8)
            let request = bytes
            let replies = try await within(20, "the replies behind a non-UTF-8 AUTH") {
                try await client.sendRaw(request, expectingReplies: 2)
            }
            #expect(replies[0].errorText?.hasPrefix("BAD_REQUEST argument 2 is not valid UTF-8") == true, "\(replies[0])")
            #expect(replies[1].errorText?.contains("bulk length 5000 is over the limit of 4096") == true, "\(replies[1])")
            #expect(await eventually(10) { !client.isConnected }, "the connection stayed open after a pre-login limit")
        }
    }

    @Test("a failed AUTH is framed with the pre-login limits: a big request behind it is refused")
    func failedAuthKeepsPreLoginLimits() async throws {
        try await withServer { server in
            let client = try await server.connect()
            let bytes = Array("AUTH alice wrong\r\n*2\r\n$4\r\nPING\r\n$5000\r\n".utf8)
            let replies = try await within(20, "the replies behind a failed AUTH") {
                try await client.sendRaw(bytes, expectingReplies: 2)
            }
            #expect(replies[0].errorText?.hasPrefix("AUTH_FAILED") == true, "\(replies[0])")
            #expect(replies[1].errorText?.contains("over the limit of 4096") == true, "\(replies[1])")
        }
    }

    @Test("while an AUTH is checked the server does not read what follows it")
    func pendingAuthDoesNotBuffer() async throws {
        var limits = ServerFixture.testLimits()
        limits.failedAuthDelay = 4
        try await withServer(limits: limits) { server in
            let peer = try await RawPeer(port: server.port)
            // AUTH, then one 24 MiB line: the server used to buffer up to its post-login limit
            // (about 65 MiB) while the AUTH was checked.
            var bytes = Array("AUTH alice wrong\r\nPING ".utf8)
            bytes += [UInt8](repeating: UInt8(ascii: "a"), count: 24 * 1024 * 1024)
            let written = Atomic<Bool>(false)
            let start = ContinuousClock.now
            let write = peer.write(bytes)
            write.whenComplete { _ in written.store(true, ordering: .relaxed) }
            try await Task.sleep(for: .seconds(2))
            let early = written.load(ordering: .relaxed) && ContinuousClock.now - start < .seconds(3.5)
            #expect(!early, "the server read 24 MiB while the AUTH was still being checked")
            // Once the AUTH fails, the line is framed with the pre-login limits: error, then close.
            #expect(await eventually(20) { await peer.isClosed }, "the connection was not closed")
            let text = try await peer.text
            #expect(text.hasPrefix("-AUTH_FAILED"), "\(text.prefix(200))")
            #expect(text.contains("too big inline request"), "\(text.prefix(400))")
            await peer.close()
        }
    }

    @Test("the pre-login deadline keeps running while an AUTH is checked, and its error is sent")
    func authDeadlineRunsWhileAuthPending() async throws {
        var limits = ServerFixture.testLimits()
        limits.authenticationTimeout = 1
        limits.failedAuthDelay = 6
        try await withServer(limits: limits) { server in
            let client = try await server.connect()
            let start = ContinuousClock.now
            let replies = try await within(20, "the deadline's reply") {
                try await client.sendRaw(Array("AUTH alice wrong\r\n".utf8), expectingReplies: 1)
            }
            let elapsed = ContinuousClock.now - start
            #expect(replies[0].errorText == "LIMIT no successful AUTH within 1 s; closing the connection", "\(replies[0])")
            #expect(elapsed < .seconds(5), "closed after \(elapsed), the AUTH delay is 6 s")
            #expect(await eventually(10) { !client.isConnected })
        }
    }

    @Test("a pending AUTH does not stop the deadline of a client that dribbles AUTH lines")
    func dribblingAuthsHitTheDeadline() async throws {
        var limits = ServerFixture.testLimits()
        limits.authenticationTimeout = 1.5
        limits.failedAuthDelay = 0.2
        limits.maxFailedAuthAttempts = 1000
        try await withServer(limits: limits) { server in
            let peer = try await RawPeer(port: server.port)
            let closed = try await within(20, "the deadline") {
                for _ in 0..<100 {
                    if await peer.isClosed { return true }
                    peer.write(Array("AUTH alice wrong\r\n".utf8))
                    try await Task.sleep(for: .milliseconds(100))
                }
                return await peer.isClosed
            }
            #expect(closed, "a client sending AUTH after AUTH was never closed")
            #expect(try await peer.text.contains("-LIMIT no successful AUTH within 1.5 s"))
        }
    }
}
