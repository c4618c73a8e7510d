import CallsheetCore
import CallsheetProtocol
import CallsheetServer
import CallsheetStore
import Foundation
import Testing

/// `INFO` over TCP with two organizations on one server: each signed-in user sees the server's
/// health and their own organization's figures, nothing of the other tenant; the owner sees all.
@Suite("INFO scope over TCP")
struct InfoScopeTests {
    /// The members a tenant's `INFO` may hold, and those of its `journal`, `snapshot`, `organization`.
    static let tenantMembers: Set<String> = ["version", "uptime_seconds", "connections", "journal", "snapshot", "organization"]
    static let journalMembers: Set<String> = ["healthy", "read_only", "reason", "fsync"]

    @Test("each organization's users see their own figures and the server's health, never the other tenant's")
    func infoIsScopedToTheCallersOrganization() async throws {
        try await withServer { server in
            let alice = try await server.connectAdmin()
            let (_, gusSecret) = try await server.directory.createOrganization(name: "Globex", region: "US", admin: "gus")
            let gus = try await server.connect(as: "gus", secret: gusSecret)
            #expect(try await alice.send(["DEPT.CREATE", "Sales"]).isError == false)
            var secrets: [String: String] = [:]
            for (name, role) in [("mara", "manager"), ("abe", "agent")] {
                secrets[name] = try await alice.send(["USER.CREATE", name, "ROLE", role, "DEPT", "2"]).json?["secret"] as? String
            }
            let mara = try await server.connect(as: "mara", secret: secrets["mara"] ?? "")
            let abe = try await server.connect(as: "abe", secret: secrets["abe"] ?? "")
            for n in 0..<3 { _ = try await alice.addContact(#"{"name":"Acme \#(n)","phone":"+1650253010\#(n)"}"#) }
            _ = try await mara.addContact(#"{"name":"Sales 1","phone":"+16502530201"}"#)
            for n in 0..<5 { _ = try await gus.addContact(#"{"name":"Globex \#(n)","phone":"+1650253030\#(n)"}"#) }

            let expected: [(CallsheetClient, String, Int, Int)] = [(alice, "alice", 1, 4), (mara, "mara", 1, 1), (abe, "abe", 1, 1), (gus, "gus", 2, 5)]
            for (client, name, organization, contacts) in expected {
                let reply = try await client.send(["INFO", "JSON"])
                let info = try #require(reply.json, "INFO as \(name): \(reply)")
                #expect(Set(info.keys) == Self.tenantMembers, "\(name) sees only server health and their organization: \(info.keys.sorted())")
                let journal = info["journal"] as? [String: Any] ?? [:]
                #expect(Set(journal.keys) == Self.journalMembers, "\(name): \(journal.keys.sorted())")
                #expect(journal["read_only"] as? Bool == false && journal["healthy"] as? Bool == true)
                #expect(Set((info["snapshot"] as? [String: Any] ?? [:]).keys) == ["age_seconds"])
                let figures = info["organization"] as? [String: Any] ?? [:]
                #expect(figures["id"] as? Int == organization && figures["contacts"] as? Int == contacts,
                        "\(name) counts their own scope (a manager's and an agent's department, as ORG.INFO): \(figures)")
                #expect((figures["text_index_bytes"] != nil) == (name == "alice" || name == "gus"), "index size for admins only")
                #expect((figures["contact_table_bytes"] != nil) == (name == "alice" || name == "gus"), "table size for admins only")
                #expect((info["connections"] as? Int ?? 0) >= 4, "open connections are the server's load, kept for every tenant")
                let text = reply.string ?? ""
                let other = organization == 1 ? "Globex" : "Acme"
                #expect(!text.contains(other), "\(name) reads nothing of \(other): \(text)")
            }

            // Another tenant's activity leaves a tenant's INFO as it was.
            func steady() async throws -> [(String, JSONValue)] {
                guard case .object(let members) = try JSONValue.parse(try await alice.send(["INFO", "JSON"]).string ?? "") else { return [] }
                return members.filter { $0.0 != "uptime_seconds" && $0.0 != "snapshot" }
            }
            let before = try await steady()
            for n in 0..<20 { _ = try await gus.addContact(#"{"name":"More \#(n)","phone":"+165025304\#(String(format: "%02d", n))"}"#) }
            _ = try await gus.send(["CONTACT.GET", "999"])
            let after = try await steady()
            #expect(before.count == 4 && JSONValue.object(before).serialized == JSONValue.object(after).serialized,
                    "nothing moved with another tenant's writes: \(JSONValue.object(before).serialized) → \(JSONValue.object(after).serialized)")

            // The data directory's owner (the local REPL, the metrics endpoint) sees every figure.
            let owner = await server.directory.info(for: .owner, shard: nil)
            guard case .array(let organizations)? = owner["contacts_by_organization"] else {
                Issue.record("the owner's INFO lists every organization: \(owner.serialized)")
                return
            }
            #expect(organizations.compactMap { $0["name"] } == [.string("Acme"), .string("Globex")])
            for key in ["commands", "writes", "errors", "organizations", "resident_bytes"] { #expect(owner[key] != nil, "\(key)") }
            #expect(owner["journal"]?["next_sequence"] != nil && owner["journal"]?["read_only"] == .bool(false))
            for client in [alice, gus, mara, abe] { await client.close() }
        }
    }
}
