import CallsheetProtocol
import CallsheetServer
import Foundation
import NIOCore
import Testing
import TestSupport

/// Clients that misbehave on purpose, over real sockets: every limit tells the client why before
/// it closes the connection, and the others keep being served.
@Suite("Bad peers")
struct BadPeerTests {
    @Test("QUIT answers +OK and closes the socket; requests pipelined after it are not answered")
    func quitClosesTheSocket() async throws {
        try await withServer { server in
            let peer = try await RawPeer(port: server.port)
            peer.write(Array("PING\r\nQUIT\r\nPING\r\n".utf8))
            #expect(await eventually(10) { await peer.isClosed }, "QUIT did not close the connection")
            #expect(try await peer.text == "+PONG\r\n+OK\r\n")
        }
    }

    @Test("idle before AUTH: -LIMIT, then the connection closes")
    func idleTimeoutBeforeAuth() async throws {
        var limits = ServerFixture.testLimits()
        limits.unauthenticatedIdleTimeout = 1
        try await withServer(limits: limits) { server in
            let peer = try await RawPeer(port: server.port)
            peer.write(Array("PING\r\n".utf8))
            #expect(await eventually(10) { await peer.isClosed }, "an idle unauthenticated connection stayed open")
            #expect(try await peer.text == "+PONG\r\n-LIMIT idle for 1 s; closing the connection\r\n")
        }
    }

    @Test("idle after AUTH: -LIMIT, then the connection closes; a client that keeps talking stays")
    func idleTimeoutAfterAuth() async throws {
        var limits = ServerFixture.testLimits()
        limits.idleTimeout = 2
        try await withServer(limits: limits) { server in
            let idle = try await server.connectAdmin()
            let busy = try await server.connectAdmin()
            for _ in 0..<8 {
                #expect(try await busy.send(["PING"]) == .simpleString("PONG"))
                try await Task.sleep(for: .milliseconds(400))
            }
            let replies = try await within(10, "the idle timeout's reply") { try await idle.readReplies(1) }
            #expect(replies[0].errorText == "LIMIT idle for 2 s; closing the connection", "\(replies[0])")
            #expect(await eventually(10) { !idle.isConnected })
            #expect(try await busy.send(["PING"]) == .simpleString("PONG"))
            await busy.close()
        }
    }

    @Test("too many arguments, a long line, a long bulk: each gets its error, then the close")
    func framingLimitsReplyThenClose() async throws {
        var limits = ServerFixture.testLimits()
        limits.request = ProtocolLimits(maxInlineLength: 1024, maxBulkLength: 4096, maxArrayCount: 64)
        try await withServer(limits: limits) { server in
            let auth = RESPValue.command(["AUTH", ServerFixture.admin, server.adminSecret]).encoded
            let cases: [(bytes: [UInt8], error: String)] = [
                (Array("*65\r\n".utf8), "-ERR Protocol error: multibulk length 65 is over the limit of 64"),
                (Array("PING \(String(repeating: "a", count: 2000))\r\n".utf8), "-ERR Protocol error: too big inline request"),
                (Array("*2\r\n$4\r\nPING\r\n$5000\r\n".utf8), "-ERR Protocol error: bulk length 5000 is over the limit of 4096"),
                // Before AUTH: the pre-login limits.
                (Array("*11\r\n".utf8), "-ERR Protocol error: multibulk length 11 is over the limit of 10"),
            ]
            for (index, test) in cases.enumerated() {
                let peer = try await RawPeer(port: server.port)
                peer.write((index < 3 ? auth : []) + test.bytes)
                #expect(await eventually(10) { await peer.isClosed }, "case \(index): not closed")
                let text = try await peer.text
                #expect(text.contains(test.error), "case \(index): \(text)")
            }
        }
    }

    @Test("past --max-clients: -ERR max number of clients reached, then the close")
    func maxClientsReplyThenClose() async throws {
        var limits = ServerFixture.testLimits()
        limits.maxClients = 2
        try await withServer(limits: limits) { server in
            let first = try await server.connect()
            let second = try await server.connect()
            #expect(try await first.send(["PING"]) == .simpleString("PONG"))
            #expect(try await second.send(["PING"]) == .simpleString("PONG"))
            let third = try await RawPeer(port: server.port)
            #expect(await eventually(10) { await third.isClosed })
            #expect(try await third.text == "-ERR max number of clients reached\r\n")
            await first.close()
            await second.close()
        }
    }

    @Test("--max-pending-requests: a connection has at most that many requests read and unanswered")
    func maxPendingRequests() async throws {
        var limits = ServerFixture.testLimits()
        limits.maxPendingRequests = 100
        try await withServer(limits: limits) { server in
            let admin = try await server.connectAdmin()
            let notes = String(repeating: "n", count: 20_000)
            let id = try await admin.addContact(#"{"name":"Wide","phone":"+16502530000","notes":"\#(notes)"}"#)
            // A client that sends 5,000 lookups of a 20 KB contact and reads nothing: the server's
            // writes stall, and the decoder must stop at 100 requests read ahead.
            let hog = try await RawPeer(port: server.port, reading: false)
            var request = RESPValue.command(["AUTH", ServerFixture.admin, server.adminSecret]).encoded
            for _ in 0..<5000 { RESPValue.command(["CONTACT.GET", "\(id)"]).write(into: &request) }
            hog.write(request)
            var highest = 0
            var samples: [Int] = []
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(100))
                let pending = server.server.pendingRequests
                samples.append(pending)
                highest = max(highest, pending)
            }
            #expect(highest <= 100, "up to \(highest) requests were read ahead (samples \(samples))")
            #expect(highest >= 50, "the server did not read ahead at all (samples \(samples))")
            print("--max-pending-requests 100: at most \(highest) requests read ahead")
            // A well-behaved pipelining client with far more than 100 requests is simply slowed down.
            let many = try await admin.pipeline(Array(repeating: ["PING"], count: 3000))
            #expect(many.count == 3000 && many.allSatisfy { $0 == .simpleString("PONG") })
            await hog.close()
            await admin.close()
        }
    }
}
