import CallsheetCore
import Testing

/// Every role against every contact command: managers stay in their department, agents only read.
@Suite struct ScopeTests {
    func setUp() throws -> (Fixture, sales: Contact, support: Contact) {
        var fixture = Fixture()
        let sales = try fixture.add(#"{"name":"Sal","phone":"+16502530000","department_id":2}"#)
        let support = try fixture.add(#"{"name":"Sue","phone":"+16502530001","department_id":3}"#)
        return (fixture, sales, support)
    }

    @Test func managerSeesOnlyOwnDepartment() throws {
        let (fixture, sales, support) = try setUp()
        let manager = fixture.salesManager
        #expect(try fixture.state.visibleContact(sales.id, for: manager).id == sales.id)
        let hidden = error { try fixture.state.visibleContact(support.id, for: manager) }
        let missing = error { try fixture.state.visibleContact(999, for: manager) }
        #expect(hidden?.code == .notFound)
        // Out of scope reads exactly like a missing id, so ids cannot be probed.
        #expect(hidden?.message == "no contact with id \(support.id)")
        #expect(missing?.message == "no contact with id 999")
        #expect(error { try fixture.state.planUpdate(support.id, .object([("name", .string("X"))]), by: manager, context: fixture.context) }?.code == .notFound)
        #expect(error { try fixture.state.planDelete(support.id, permanent: true, by: manager, context: fixture.context) }?.code == .notFound)
        #expect(error { try fixture.state.planRestore(support.id, by: manager, context: fixture.context) }?.code == .notFound)
        #expect(error { try fixture.state.planLogCall(support.id, outcome: "completed", at: nil, by: manager, context: fixture.context) }?.code == .notFound)
        #expect(fixture.state.search("su", limit: 10, for: manager).isEmpty)
        #expect(fixture.state.search("sa", limit: 10, for: manager).map(\.id) == [sales.id])
        let page = String(decoding: fixture.state.listJSON(after: nil, limit: 10, archived: .all, for: manager), as: UTF8.self)
        #expect(page.contains("\"Sal\"") && !page.contains("\"Sue\""))
        #expect(fixture.state.countVisible(for: manager) == (1, 0))
    }

    @Test func managerContactsLandInTheirDepartment() throws {
        var (fixture, _, _) = try setUp()
        let contact = try fixture.add(#"{"name":"New","phone":"+16502530002"}"#, by: fixture.supportManager)
        #expect(contact.departmentID == 3)
        #expect(error { try fixture.add(#"{"name":"New","phone":"+16502530003","department_id":2}"#, by: fixture.supportManager) }?.code == .forbidden)
        #expect(error { try fixture.update(contact.id, #"{"department_id":2}"#, by: fixture.supportManager) }?.code == .forbidden)
        // An admin may move contacts between departments.
        #expect(try fixture.update(contact.id, #"{"department_id":2}"#).departmentID == 2)
    }

    @Test func agentNeverChangesAnything() throws {
        let (fixture, sales, _) = try setUp()
        let agent = fixture.salesAgent
        #expect(try fixture.state.visibleContact(sales.id, for: agent).id == sales.id)
        let attempts: [CallsheetError?] = [
            error { try fixture.state.planAdd(.object([("name", .string("X")), ("phone", .string("+16502530009"))]), by: agent, context: fixture.context) },
            error { try fixture.state.planUpdate(sales.id, .object([("name", .string("X"))]), by: agent, context: fixture.context) },
            error { try fixture.state.planDelete(sales.id, permanent: false, by: agent, context: fixture.context) },
            error { try fixture.state.planRestore(sales.id, by: agent, context: fixture.context) },
            error { try fixture.state.planCreateField(.object([("name", .string("x")), ("type", .string("text"))]), by: agent) },
            error { try fixture.state.planCreateDepartment("X", by: agent) },
        ]
        for attempt in attempts { #expect(attempt?.code == .forbidden) }
        // Logging a call is the one write an agent has, for contacts it can read.
        #expect(try fixture.state.planLogCall(sales.id, outcome: "completed", at: nil, by: agent, context: fixture.context).totalCalls == sales.totalCalls + 1)
    }

    @Test func managersCannotAdminister() throws {
        let (fixture, _, _) = try setUp()
        let manager = fixture.salesManager
        #expect(error { try fixture.state.planCreateField(.object([("name", .string("x")), ("type", .string("text"))]), by: manager) }?.code == .forbidden)
        #expect(error { try fixture.state.planCreateDepartment("X", by: manager) }?.code == .forbidden)
        #expect(error { try fixture.state.planCreateUser("x", role: .agent, department: 2, secret: .make(secret: "s"), by: manager, context: fixture.context) }?.code == .forbidden)
        #expect(error { try fixture.state.planSetting("region", "GB", by: manager, phones: fixture.context.phones) }?.code == .forbidden)
        #expect(error { try fixture.state.planDeleteField("x", by: manager, context: fixture.context) }?.code == .forbidden)
    }

    @Test func agentsReadOnlyAgentVisibleFields() throws {
        var fixture = Fixture()
        try fixture.createField(#"{"name":"customer_id","type":"text","visible_to":"all"}"#)
        try fixture.createField(#"{"name":"account_value","type":"decimal","visible_to":"manager+"}"#)
        let contact = try fixture.add(#"{"name":"Sal","phone":"+16502530000","department_id":2,"custom_fields":{"customer_id":"CRM-1","account_value":5000.5}}"#)
        let forAgent = String(decoding: fixture.state.contactJSON(contact, for: .agent), as: UTF8.self)
        let forManager = String(decoding: fixture.state.contactJSON(contact, for: .manager), as: UTF8.self)
        #expect(forAgent.contains(#""custom_fields":{"customer_id":"CRM-1"}"#))
        #expect(forManager.contains(#""custom_fields":{"customer_id":"CRM-1","account_value":5000.5}"#))
    }

    @Test func tagCountsAreScoped() throws {
        var fixture = Fixture()
        try fixture.add(#"{"name":"A","phone":"+16502530000","department_id":2,"tags":["VIP"]}"#)
        try fixture.add(#"{"name":"B","phone":"+16502530001","department_id":3,"tags":["VIP","DNC"]}"#)
        #expect(fixture.state.tagListJSON(for: fixture.salesManager).serialized == #"[{"tag":"VIP","contacts":1}]"#)
        #expect(fixture.state.tagListJSON(for: fixture.admin).serialized == #"[{"tag":"DNC","contacts":1},{"tag":"VIP","contacts":2}]"#)
    }
}
