import CallsheetProtocol
import CallsheetServer
import Foundation
import Testing

/// Revoked users lose their rights at their very next command over a real socket (issue 9).
@Suite("Revocation over TCP")
struct RevocationTests {
    /// Creates `name` with `role` in Sales and returns a connection signed in as them.
    static func user(_ admin: CallsheetClient, _ server: ServerFixture, _ name: String, _ role: String) async throws -> CallsheetClient {
        let reply = try await admin.send(["USER.CREATE", name, "ROLE", role, "DEPT", "2"])
        let secret = reply.json?["secret"] as? String ?? ""
        #expect(!secret.isEmpty, "USER.CREATE \(name): \(reply)")
        return try await server.connect(as: name, secret: secret)
    }

    /// Waits until the server has closed `client`'s connection.
    static func waitUntilClosed(_ client: CallsheetClient) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while client.isConnected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test("a deleted user's open connection is refused and closed at its next command")
    func deletedUser() async throws {
        try await withServer { server in
            let admin = try await server.connectAdmin()
            #expect(try await admin.send(["DEPT.CREATE", "Sales"]).isError == false)
            let carl = try await Self.user(admin, server, "carl", "manager")
            #expect(try await carl.send(["CONTACT.ADD", #"{"name":"Ann","phone":"+16502530000"}"#]).isError == false)
            #expect(try await admin.send(["USER.DELETE", "carl"]) == .ok)
            let refused = try await carl.send(["CONTACT.ADD", #"{"name":"Ben","phone":"+16502530001"}"#])
            #expect("\(refused)".contains("NOAUTH"), "\(refused)")
            try await Self.waitUntilClosed(carl)
            #expect(!carl.isConnected)
            let count = try await admin.send(["CONTACT.COUNT"])
            #expect(count.json?["active"] as? Int == 1, "\(count)")
            await admin.close()
        }
    }

    @Test("a demoted admin and a re-keyed agent get their new standing at the next command, pipelined lookups included")
    func demotedAndRekeyed() async throws {
        try await withServer { server in
            let admin = try await server.connectAdmin()
            #expect(try await admin.send(["DEPT.CREATE", "Sales"]).isError == false)
            let dana = try await Self.user(admin, server, "dana", "admin")
            let abe = try await Self.user(admin, server, "abe", "agent")
            #expect(try await admin.send(["CONTACT.ADD", #"{"name":"Ann","phone":"+16502530000","department_id":2}"#]).isError == false)
            #expect(try await dana.send(["DEPT.CREATE", "Ops"]).isError == false)
            #expect(try await admin.send(["USER.SETROLE", "dana", "manager", "DEPT", "2"]) == .ok)
            let forbidden = try await dana.send(["DEPT.CREATE", "Ops2"])
            #expect("\(forbidden)".contains("FORBIDDEN"), "\(forbidden)")
            // Pipelined lookups share one visit to the shard; revocation reaches them too.
            #expect(try await abe.pipeline([["CONTACT.GET", "1"], ["CONTACT.BYPHONE", "+16502530000"]]).allSatisfy { !$0.isError })
            #expect(try await admin.send(["USER.RESETSECRET", "abe"]).isError == false)
            // The first reply refuses; the connection closes after it, so the second never comes.
            let replies = try await abe.sendRaw(Array("CONTACT.GET 1\r\nCONTACT.BYPHONE +16502530000\r\n".utf8), expectingReplies: 1)
            #expect(replies.first.map { "\($0)".contains("NOAUTH") } == true, "\(replies)")
            try await Self.waitUntilClosed(abe)
            #expect(!abe.isConnected)
            await admin.close()
            await dana.close()
        }
    }
}
