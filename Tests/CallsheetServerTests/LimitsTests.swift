import CallsheetProtocol
import CallsheetServer
import Foundation
import NIOCore
import NIOPosix
import Testing

@Suite("Limits and abuse")
struct LimitsTests {
    static func smallLimits() -> ServerLimits {
        var limits = ServerFixture.testLimits()
        limits.request = ProtocolLimits(maxInlineLength: 1024, maxBulkLength: 4096, maxArrayCount: 64)
        return limits
    }

    @Test("an oversized inline line gets an error and the connection closes; others are unaffected")
    func oversizedLine() async throws {
        try await withServer(limits: Self.smallLimits()) { server in
            let bystander = try await server.connectAdmin()
            let client = try await server.connectAdmin()
            let line = Array("PING \(String(repeating: "a", count: 2000))\r\n".utf8)
            let replies = try await client.sendRaw(line, expectingReplies: 1)
            #expect(replies[0].errorText?.contains("too big inline request") == true, "\(replies[0])")
            // The close follows the reply; allow for a loaded machine (the whole suite runs in parallel).
            for _ in 0..<100 where client.isConnected { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!client.isConnected)
            #expect(try await bystander.send(["PING"]) == .simpleString("PONG"))
            await bystander.close()
        }
    }

    @Test("an oversized bulk string or argument count gets an error and the connection closes")
    func oversizedBulkAndArray() async throws {
        try await withServer(limits: Self.smallLimits()) { server in
            let bulk = try await server.connectAdmin()
            let reply = try await bulk.sendRaw(Array("*2\r\n$4\r\nPING\r\n$5000\r\n".utf8), expectingReplies: 1)
            #expect(reply[0].errorText?.contains("bulk length 5000 is over the limit of 4096") == true, "\(reply[0])")
            for _ in 0..<100 where bulk.isConnected { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!bulk.isConnected)

            let array = try await server.connectAdmin()
            let arrayReply = try await array.sendRaw(Array("*65\r\n".utf8), expectingReplies: 1)
            #expect(arrayReply[0].errorText?.contains("multibulk length 65") == true, "\(arrayReply[0])")
            await array.close()
        }
    }

    @Test("before AUTH, a request with many arguments or a few KiB is refused")
    func unauthenticatedLimits() async throws {
        try await withServer { server in
            let many = try await server.connect()
            let reply = try await many.send(["PING"] + Array(repeating: "x", count: 20))
            #expect(reply.errorText?.contains("over the limit of 10") == true, "\(reply)")
            let big = try await server.connect()
            let bigReply = try await big.send(["AUTH", "alice", String(repeating: "s", count: 5000)])
            #expect(bigReply.errorText?.contains("over the limit of 4096") == true, "\(bigReply)")
            for _ in 0..<100 where many.isConnected || big.isConnected { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!many.isConnected && !big.isConnected)
        }
    }

    @Test("unbalanced quotes in an inline line get an error but the connection goes on")
    func unbalancedQuotes() async throws {
        try await withServer { server in
            let client = try await server.connect()
            let replies = try await client.sendRaw(Array("PING \"open\r\nPING\r\n".utf8), expectingReplies: 2)
            #expect(replies[0].errorText?.contains("unbalanced quotes") == true)
            #expect(replies[1] == .simpleString("PONG"))
            await client.close()
        }
    }

    @Test("past max clients a connection is told so and closed")
    func maxClients() async throws {
        var limits = ServerFixture.testLimits()
        limits.maxClients = 3
        try await withServer(limits: limits) { server in
            var clients: [CallsheetClient] = []
            for _ in 0..<3 { clients.append(try await server.connect()) }
            for client in clients { #expect(try await client.send(["PING"]) == .simpleString("PONG")) }
            let extra = try await server.connect()
            let reply = try await extra.readReplies(1)
            #expect(reply[0] == .error("ERR max number of clients reached"))
            await clients[0].close()
            // The server frees the slot when it sees the close; on a loaded machine that can take a while.
            var again = try await server.connect()
            for _ in 0..<50 {
                if try await again.send(["PING"]) == .simpleString("PONG") { break }
                await again.close()
                try await Task.sleep(for: .milliseconds(100))
                again = try await server.connect()
            }
            #expect(try await again.send(["PING"]) == .simpleString("PONG"))
            #expect(server.server.metrics.connectionsRejected.load(ordering: .relaxed) >= 1)
            for client in clients.dropFirst() + [again] { await client.close() }
        }
    }

    @Test("a client that sends but never reads: the server stops reading from it, others are served, then it is closed")
    func clientThatNeverReads() async throws {
        var limits = ServerFixture.testLimits()
        limits.writeStallTimeout = 2
        try await withServer(limits: limits) { server in
            let admin = try await server.connectAdmin()
            let notes = String(repeating: "n", count: 2000)
            let id = try await admin.addContact(#"{"name":"Big Notes","phone":"+16502530000","notes":"\#(notes)"}"#)

            // A raw connection that never reads a byte (autoRead off).
            let hog = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.autoRead, value: false)
                .connect(host: "127.0.0.1", port: server.port).get()
            var request: [UInt8] = []
            RESPValue.command(["AUTH", ServerFixture.admin, server.adminSecret]).write(into: &request)
            var gets: [UInt8] = []
            RESPValue.command(["CONTACT.GET", "\(id)"]).write(into: &gets)
            for _ in 0..<2000 { request += gets }
            let before = server.directory.counters.commands.load(ordering: .relaxed)
            for _ in 0..<50 {  // 100,000 requests, ~200 MB of replies if all were answered
                hog.writeAndFlush(ByteBuffer(bytes: request), promise: nil)
            }
            // Wait until the server has stopped taking work from it (the count holds still).
            var stalled = -1
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(100))
                let now = server.directory.counters.commands.load(ordering: .relaxed) - before
                if now == stalled { break }
                stalled = now
            }
            #expect(stalled < 50_000, "the server answered \(stalled) of 100,000 requests the client never read")
            // Others are served while it stalls.
            #expect(try await admin.send(["CONTACT.GET", "\(id)"]).json?["name"] as? String == "Big Notes")
            // Past the write-stall timeout the server closes it.
            // Judged on the server's side: the hog reads nothing, so it may not notice the close.
            for _ in 0..<300 where server.server.metrics.connections.load(ordering: .relaxed) > 1 {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(server.server.metrics.connections.load(ordering: .relaxed) == 1, "the hog is still connected")
            await admin.close()
        }
    }

    @Test("many clients at once")
    func manyConcurrentClients() async throws {
        try await withServer { server in
            let admin = try await server.connectAdmin()
            let id = try await admin.addContact(#"{"name":"Ann Lee","phone":"+16502530000"}"#)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let client = try await server.connectAdmin()
                        var requests: [[String]] = []
                        for i in 0..<50 { requests.append(i % 2 == 0 ? ["CONTACT.GET", "\(id)"] : ["PING", "\(n)-\(i)"]) }
                        let replies = try await client.pipeline(requests)
                        var good = 0
                        for (i, reply) in replies.enumerated() {
                            if i % 2 == 0 ? reply.json?["name"] as? String == "Ann Lee" : reply.string == "\(n)-\(i)" { good += 1 }
                        }
                        await client.close()
                        return good
                    }
                }
                var total = 0
                for try await good in group { total += good }
                #expect(total == 200 * 50)
            }
            await admin.close()
        }
    }
}
