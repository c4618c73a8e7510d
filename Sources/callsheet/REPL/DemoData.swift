import CallsheetCore
import CallsheetStore
import ContactGenerator

/// The embedded default: the first time the REPL opens an empty data directory it creates a demo
/// organization with departments, custom fields and a few hundred realistic contacts, through the
/// same command path as everything else.
enum DemoData {
    static let organization = "Demo Call Center"

    /// Creates the demo organization; returns the admin's secret.
    static func seed(_ executor: CommandExecutor, session: inout Session, contacts count: Int = 300) async throws -> String {
        var secret = ""
        let setup: [[String]] = [
            ["ORG.CREATE", organization, "REGION", "US", "ADMIN", "admin"],
            ["DEPT.CREATE", "Sales"],
            ["DEPT.CREATE", "Support"],
            ["FIELD.CREATE", #"{"name":"customer_id","label":"Customer ID","type":"text","visible_to":"all"}"#],
            ["FIELD.CREATE", #"{"name":"account_value","label":"Annual Contract Value","type":"decimal","visible_to":"manager+"}"#],
            ["FIELD.CREATE", #"{"name":"industry","label":"Industry","type":"dropdown","options":["Healthcare","Finance","Technology","Retail","Other"]}"#],
            ["FIELD.CREATE", #"{"name":"renewal_date","label":"Renewal Date","type":"date"}"#],
        ]
        for arguments in setup {
            let reply = await executor.execute(arguments, session: &session)
            if case .error(let text) = reply { throw DemoError(message: "\(arguments[0]) failed: \(text)") }
            if arguments[0] == "ORG.CREATE", let json = reply.string.flatMap({ try? JSONValue.parse($0) }), case .string(let value)? = json["secret"] {
                secret = value
            }
        }
        var generator = ContactGenerator(seed: 2026)
        let industries = ["Healthcare", "Finance", "Technology", "Retail", "Other"]
        for index in 0..<count {
            let contact = generator.next()
            var members: [(String, JSONValue)] = [
                ("name", .string(contact.name)),
                ("phone", .string(contact.region == "US" ? contact.phone : contact.e164)),
                ("tags", .array(contact.tags.map { .string($0) })),
                ("department_id", .integer(Int64(2 + index % 2))),
            ]
            if let email = contact.email { members.append(("email", .string(email))) }
            if let company = contact.company { members.append(("company", .string(company))) }
            if let notes = contact.notes { members.append(("notes", .string(notes))) }
            var fields: [(String, JSONValue)] = [("customer_id", .string("CRM-\(10_000 + index)"))]
            if index % 3 == 0 { fields.append(("account_value", .double(Double(5_000 + index * 137 % 95_000)))) }
            if index % 4 != 3 { fields.append(("industry", .string(industries[index % industries.count]))) }
            if index % 5 == 0 { fields.append(("renewal_date", .string("2027-0\(1 + index % 9)-1\(index % 9)"))) }
            members.append(("custom_fields", .object(fields)))
            // Repeated phones (the generator's 2% duplicates) are refused as DUPLICATE_PHONE, as they should be.
            _ = await executor.execute(["CONTACT.ADD", JSONValue.object(members).serialized], session: &session)
        }
        return secret
    }

    struct DemoError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
