import CallsheetProtocol
import CallsheetServer
import Foundation
import Testing

@Suite("Roles and department scope over TCP")
struct ScopeTests {
    /// Sales (2) with manager `mara` and agent `abe`; Support (3) with manager `bo`.
    struct Team {
        var manager: CallsheetClient
        var agent: CallsheetClient
        var otherManager: CallsheetClient
    }

    static func team(_ server: ServerFixture) async throws -> Team {
        let admin = try await server.connectAdmin()
        #expect(try await admin.send(["DEPT.CREATE", "Sales"]).isError == false)
        #expect(try await admin.send(["DEPT.CREATE", "Support"]).isError == false)
        func user(_ name: String, _ role: String, _ department: String) async throws -> CallsheetClient {
            let reply = try await admin.send(["USER.CREATE", name, "ROLE", role, "DEPT", department])
            let secret = reply.json?["secret"] as? String ?? ""
            #expect(!secret.isEmpty, "USER.CREATE \(name): \(reply)")
            return try await server.connect(as: name, secret: secret)
        }
        let team = Team(manager: try await user("mara", "manager", "2"), agent: try await user("abe", "agent", "2"),
                        otherManager: try await user("bo", "manager", "3"))
        await admin.close()
        return team
    }

    /// The reply with the contact id written as `<id>`, to compare replies about different ids.
    static func normalized(_ reply: RESPValue, id: Int) -> String {
        "\(reply)".replacingOccurrences(of: "\(id)", with: "<id>")
    }

    @Test("a manager cannot read, search, change or delete another department's contacts: the replies are a missing id's")
    func managerOfAnotherDepartment() async throws {
        try await withServer { server in
            let team = try await Self.team(server)
            let theirs = try await team.otherManager.addContact(#"{"name":"Zed Quinn","phone":"+16502530101","email":"zed@example.com","tags":["VIP","Secret"]}"#)
            _ = try await team.manager.addContact(#"{"name":"Ann Lee","phone":"+16502530103","tags":["VIP"]}"#)
            let missing = 987_654
            let probes: [(String, [String])] = [
                ("CONTACT.GET", ["CONTACT.GET", "ID"]),
                ("CONTACT.UPDATE", ["CONTACT.UPDATE", "ID", #"{"name":"Hacked"}"#]),
                ("CONTACT.DELETE", ["CONTACT.DELETE", "ID"]),
                ("CONTACT.DELETE PERMANENT", ["CONTACT.DELETE", "ID", "PERMANENT"]),
                ("CONTACT.RESTORE", ["CONTACT.RESTORE", "ID"]),
                ("CONTACT.LOGCALL", ["CONTACT.LOGCALL", "ID", "answered"]),
            ]
            for (name, template) in probes {
                let onTheirs = try await team.manager.send(template.map { $0 == "ID" ? "\(theirs)" : $0 })
                let onMissing = try await team.manager.send(template.map { $0 == "ID" ? "\(missing)" : $0 })
                #expect(onTheirs.isError, "\(name) on another department's contact: \(onTheirs)")
                #expect(Self.normalized(onTheirs, id: theirs) == Self.normalized(onMissing, id: missing), "\(name)")
            }
            // By phone: the same reply as a number nobody has.
            let byPhone = try await team.manager.send(["CONTACT.BYPHONE", "650-253-0101"])
            let nobody = try await team.manager.send(["CONTACT.BYPHONE", "650-253-0199"])
            #expect(byPhone.isError)
            #expect("\(byPhone)".replacingOccurrences(of: "0101", with: "N") == "\(nobody)".replacingOccurrences(of: "0199", with: "N"))
            // Search, list and count do not show it.
            // (`.string`: a bulk reply's description is its bytes, which never contain "Zed".)
            let search = try await team.manager.send(["CONTACT.SEARCH", "Zed"])
            #expect(search.string?.contains("Zed") == false, "\(search)")
            #expect(search.json?["count"] as? Int == 0, "\(search)")
            let list = try await team.manager.send(["CONTACT.LIST"])
            #expect(list.string?.contains("Zed") == false, "\(list)")
            #expect(list.json?["contacts"] as? [Any] != nil, "\(list)")
            // Tags: only their own department's, counted in it.
            let tags = try await team.manager.send(["TAG.LIST"])
            #expect(tags.string == #"[{"tag":"VIP","contacts":1}]"#, "\(tags)")
            let count = try await team.manager.send(["CONTACT.COUNT"])
            #expect(count.string == #"{"active":1,"archived":0}"#, "\(count)")
            // And it is untouched: not renamed, not archived, not deleted, no call logged.
            let after = try await team.otherManager.send(["CONTACT.GET", "\(theirs)"])
            #expect(after.json?["name"] as? String == "Zed Quinn", "\(after)")
            #expect(after.json?["archived_at"] is NSNull, "\(after)")
            #expect(after.json?["total_calls"] as? Int == 0, "\(after)")
            #expect(after.json?["tags"] as? [String] == ["VIP", "Secret"], "\(after)")
            // A manager cannot add into another department either.
            let add = try await team.manager.send(["CONTACT.ADD", #"{"name":"Sneaky","phone":"+16502530102","department_id":3}"#])
            #expect(add.isError, "\(add)")
        }
    }

    @Test("an agent can look up, and log calls, but not write anything else")
    func agentCannotWrite() async throws {
        try await withServer { server in
            let team = try await Self.team(server)
            let id = try await team.manager.addContact(#"{"name":"Ann Lee","phone":"+16502530000"}"#)
            #expect(try await team.agent.send(["CONTACT.GET", "\(id)"]).json?["name"] as? String == "Ann Lee")
            #expect(try await team.agent.send(["CONTACT.BYPHONE", "(650) 253-0000"]).json?["id"] as? Int == id)
            let writes: [[String]] = [
                ["CONTACT.ADD", #"{"name":"New","phone":"+16502530001"}"#],
                ["CONTACT.UPDATE", "\(id)", #"{"name":"Changed"}"#],
                ["CONTACT.DELETE", "\(id)"],
                ["DEPT.CREATE", "Mine"],
                ["DNC.ADD", "contact:\(id)"],
                ["CONSENT.SET", "\(id)", "phone", "any", "WITHDRAWN"],
                ["CAMPAIGN.CREATE", "Mine"],
            ]
            for request in writes {
                let reply = try await team.agent.send(request)
                #expect(reply.errorText?.hasPrefix("FORBIDDEN") == true, "\(request[0]): \(reply)")
            }
            // Logging a call is the one write an agent has.
            #expect(try await team.agent.send(["CONTACT.LOGCALL", "\(id)", "answered"]).json?["total_calls"] as? Int == 1)
            #expect(try await team.agent.send(["CALL.LOG", "\(id)", #"{"outcome":"voicemail","duration":12}"#]).json?["duration"] as? Int == 12)
            let contact = try await team.manager.send(["CONTACT.GET", "\(id)"]).json
            #expect(contact?["name"] as? String == "Ann Lee" && contact?["total_calls"] as? Int == 2)
        }
    }
}
