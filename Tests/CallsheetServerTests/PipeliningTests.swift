import CallsheetProtocol
import CallsheetServer
import Foundation
import Testing

@Suite("Framing and pipelining over a real socket")
struct PipeliningTests {
    /// A valid US number for each `n` below 10,000.
    static func phone(_ n: Int) -> String { "+1650253" + String(format: "%04d", n) }

    @Test("10,000 mixed commands pipelined in one write come back in request order")
    func pipelineTenThousandMixedCommands() async throws {
        try await withServer { server in
            let client = try await server.connectAdmin()
            var requests: [[String]] = []
            for i in 0..<10_000 {
                switch i % 5 {
                case 0: requests.append(["CONTACT.ADD", #"{"name":"Person \#(i)","phone":"\#(Self.phone(i / 5))"}"#])
                case 1: requests.append(["PING", "message \(i)"])
                case 2: requests.append(["CONTACT.BYPHONE", Self.phone(i / 5)])
                case 3: requests.append(["CONTACT.GET", "999999"])
                default: requests.append(["PING"])
                }
            }
            let replies = try await client.pipeline(requests)
            #expect(replies.count == 10_000)
            for (i, reply) in replies.enumerated() {
                switch i % 5 {
                case 0: #expect(reply.json?["name"] as? String == "Person \(i)", "reply \(i): \(reply)")
                case 1: #expect(reply.string == "message \(i)")
                case 2: #expect(reply.json?["name"] as? String == "Person \(i - 2)", "reply \(i): \(reply)")
                case 3: #expect(reply.errorText?.hasPrefix("NOT_FOUND") == true, "reply \(i): \(reply)")
                default: #expect(reply == .simpleString("PONG"))
                }
            }
            await client.close()
        }
    }

    /// AUTH, a RESP ADD, inline lines with quotes, a RESP GET, an empty line, an inline BYPHONE.
    static func mixedStream(secret: String) -> (bytes: [UInt8], replies: Int) {
        var bytes: [UInt8] = Array("AUTH \(ServerFixture.admin) \(secret)\r\n".utf8)
        RESPValue.command(["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502530000"}"#]).write(into: &bytes)
        bytes += Array("PING \"two words\" \r\n".utf8)
        RESPValue.command(["CONTACT.GET", "1"]).write(into: &bytes)
        bytes += Array("\r\nCONTACT.BYPHONE '650-253-0000'\nPING\r\n".utf8)
        return (bytes, 6)
    }

    static func checkMixedReplies(_ replies: [RESPValue]) {
        #expect(replies.count == 6)
        guard replies.count == 6 else { return }
        #expect(replies[0] == .ok)
        #expect(replies[1].json?["name"] as? String == "Ann Lee", "\(replies[1])")
        #expect(replies[2].string == "two words")
        #expect(replies[3].json?["name"] as? String == "Ann Lee", "\(replies[3])")
        #expect(replies[4].json?["id"] as? Int == 1, "\(replies[4])")
        #expect(replies[5] == .simpleString("PONG"))
    }

    @Test("inline lines and RESP arrays interleave on one connection")
    func interleavedInlineAndRESP() async throws {
        try await withServer { server in
            let client = try await server.connect()
            let (bytes, count) = Self.mixedStream(secret: server.adminSecret)
            Self.checkMixedReplies(try await client.sendRaw(bytes, expectingReplies: count))
            await client.close()
        }
    }

    @Test("a request split at every byte boundary is read whole")
    func everySplitPoint() async throws {
        try await withServer { server in
            let (bytes, count) = Self.mixedStream(secret: server.adminSecret)
            // Contact 1 is created by the first run; later runs get a DUPLICATE_PHONE for the ADD.
            for split in 1..<bytes.count {
                let client = try await server.connect()
                _ = try await client.sendRaw(Array(bytes[..<split]), expectingReplies: 0)
                try await Task.sleep(for: .milliseconds(2))
                let replies = try await client.sendRaw(Array(bytes[split...]), expectingReplies: count)
                #expect(replies[0] == .ok, "split at \(split)")
                #expect(replies[2].string == "two words", "split at \(split)")
                #expect(replies[3].json?["name"] as? String == "Ann Lee", "split at \(split): \(replies[3])")
                #expect(replies[5] == .simpleString("PONG"), "split at \(split)")
                await client.close()
            }
        }
    }

    @Test("one byte per write")
    func oneBytePerWrite() async throws {
        try await withServer { server in
            let client = try await server.connect()
            let (bytes, count) = Self.mixedStream(secret: server.adminSecret)
            for byte in bytes {
                _ = try await client.sendRaw([byte], expectingReplies: 0)
                try await Task.sleep(for: .microseconds(200))
            }
            Self.checkMixedReplies(try await client.readReplies(count))
            await client.close()
        }
    }
}
