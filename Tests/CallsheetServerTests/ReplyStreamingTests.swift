import CallsheetProtocol
import CallsheetServer
import Foundation
import NIOCore
import Testing

/// Replies of a pipelined batch are written as they are produced, so a connection's memory is
/// about one reply plus the flush threshold, whatever it pipelines.
@Suite("Reply streaming")
struct ReplyStreamingTests {
    @Test("a client that pipelines 60 big CONTACT.LISTs and reads nothing gets a few built, not all")
    func bigRepliesAreStreamed() async throws {
        try await withServer { server in
            let admin = try await server.connectAdmin()
            let notes = String(repeating: "n", count: 50_000)
            var adds: [[String]] = []
            for i in 0..<150 {
                adds.append(["CONTACT.ADD", #"{"name":"Big \#(i)","phone":"+1650253\#(String(format: "%04d", i))","notes":"\#(notes)"}"#])
            }
            let added = try await admin.pipeline(adds)
            #expect(added.allSatisfy { $0.json?["id"] != nil }, "\(added.first { $0.json?["id"] == nil } ?? .ok)")
            let one = try await admin.send(["CONTACT.LIST", "LIMIT", "1000"])
            let replyBytes = one.bytes?.count ?? 0
            #expect(replyBytes > 7_000_000, "one CONTACT.LIST reply is \(replyBytes) bytes")

            // 60 lists pipelined behind AUTH: about 450 MB of replies if all were built at once.
            let hog = try await RawPeer(port: server.port, reading: false)
            var request: [UInt8] = []
            RESPValue.command(["AUTH", ServerFixture.admin, server.adminSecret]).write(into: &request)
            for _ in 0..<60 { RESPValue.command(["CONTACT.LIST", "LIMIT", "1000"]).write(into: &request) }
            let before = server.directory.counters.commands.load(ordering: .relaxed)
            let residentBefore = residentBytesOfThisProcess()
            hog.write(request)
            // Wait until the server stops taking work from it (the count holds still).
            var answered = -1
            for _ in 0..<60 {
                try await Task.sleep(for: .milliseconds(250))
                let now = server.directory.counters.commands.load(ordering: .relaxed) - before
                if now == answered && now > 1 { break }
                answered = now
            }
            let grown = residentBytesOfThisProcess() - residentBefore
            #expect(answered < 20, "the server built \(answered) of 60 replies the client never read")
            #expect(grown < 200_000_000, "the process grew by \(grown / 1_000_000) MB")
            print("60 pipelined lists of \(replyBytes / 1_000_000) MB unread: \(answered) answered, process grew \(grown / 1_000_000) MB")
            await hog.close()
            // Others are still served.
            #expect(try await admin.send(["PING"]) == .simpleString("PONG"))
            await admin.close()
        }
    }

    @Test("pipelined lookups and other commands come back complete and in order across flushes")
    func mixedPipelineAcrossFlushes() async throws {
        try await withServer { server in
            let admin = try await server.connectAdmin()
            let notes = String(repeating: "x", count: 40_000)
            let id = try await admin.addContact(#"{"name":"Wide","phone":"+16502530001","notes":"\#(notes)"}"#)
            var requests: [[String]] = []
            for i in 0..<600 {
                switch i % 4 {
                case 0, 1: requests.append(["CONTACT.GET", "\(id)"])
                case 2: requests.append(["PING", "p\(i)"])
                default: requests.append(["CONTACT.BYPHONE", "+16502530001"])
                }
            }
            let replies = try await admin.pipeline(requests)
            #expect(replies.count == 600)
            for (i, reply) in replies.enumerated() {
                if i % 4 == 2 {
                    #expect(reply.string == "p\(i)", "reply \(i)")
                } else {
                    #expect(reply.json?["name"] as? String == "Wide", "reply \(i): \(String(describing: reply).prefix(100))")
                }
            }
            await admin.close()
        }
    }
}
