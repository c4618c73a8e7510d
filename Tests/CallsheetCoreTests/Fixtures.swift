import CallsheetCore
import PhoneNumbers

/// Builds organizations in known states for the core tests, through the planning API the store uses.
struct Fixture {
    var state: OrganizationState
    var context = PlanningContext(now: 1_764_000_000_000)
    let admin = Caller(userID: 1, name: "alice", role: .admin, departmentID: nil)
    let salesManager = Caller(userID: 2, name: "bob", role: .manager, departmentID: 2)
    let supportManager = Caller(userID: 3, name: "carol", role: .manager, departmentID: 3)
    let salesAgent = Caller(userID: 4, name: "dave", role: .agent, departmentID: 2)

    init(region: String = "US") {
        state = OrganizationState(organization: Organization(id: 7, name: "Acme", defaultRegion: region, createdAt: 0))
        state.apply([
            .putDepartment(Department(id: 1, name: "General")),
            .putDepartment(Department(id: 2, name: "Sales")),
            .putDepartment(Department(id: 3, name: "Support")),
        ])
    }

    /// Plans and applies `CONTACT.ADD`, returning the stored contact.
    @discardableResult
    mutating func add(_ json: String, by caller: Caller? = nil) throws -> Contact {
        let contact = try state.planAdd(try JSONValue.parse(json), by: caller ?? admin, context: context)
        state.apply(.putContact(contact))
        context.now += 1000
        return contact
    }

    @discardableResult
    mutating func update(_ id: ContactID, _ json: String, by caller: Caller? = nil) throws -> Contact {
        let contact = try state.planUpdate(id, try JSONValue.parse(json), by: caller ?? admin, context: context)
        state.apply(.putContact(contact))
        context.now += 1000
        return contact
    }

    mutating func createField(_ json: String) throws {
        state.apply(.putField(try state.planCreateField(try JSONValue.parse(json), by: admin)))
    }
}

/// Runs `body` and returns the CallsheetError it throws, or nil.
func error<T>(_ body: () throws -> T) -> CallsheetError? {
    do {
        _ = try body()
        return nil
    } catch let error as CallsheetError {
        return error
    } catch {
        return CallsheetError(.internal, "unexpected \(error)")
    }
}
