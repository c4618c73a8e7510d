import CallsheetCore
import Testing

@Suite struct CommandParsingTests {
    @Test func parsesCommandsCaseInsensitively() throws {
        #expect(try Command.parse(["contact.get", "42"]) == .contactGet(42))
        #expect(try Command.parse(["CONTACT.DELETE", "5", "permanent"]) == .contactDelete(5, permanent: true))
        #expect(try Command.parse(["CONTACT.LIST", "LIMIT", "10", "CURSOR", "7", "ARCHIVED"]) == .contactList(cursor: 7, limit: 10, archived: .archived))
        #expect(try Command.parse(["CONTACT.ADD", #"{"name":"A"}"#]) == .contactAdd(.object([("name", .string("A"))])))
        #expect(try Command.parse(["USER.CREATE", "bob", "ROLE", "Manager", "DEPT", "2"]) == .userCreate(name: "bob", role: .manager, department: 2))
        #expect(try Command.parse(["ORG.CREATE", "Acme"]) == .orgCreate(name: "Acme", region: "US", admin: nil))
        #expect(try Command.parse(["USE", "ORG", "Acme"]) == .use("Acme"))
        #expect(try Command.parse(["CONTACT.LOGCALL", "3", "completed", "AT", "2025-11-24T16:00:00Z"]) == .contactLogCall(3, outcome: "completed", at: 1_764_000_000_000))
        #expect(try Command.parse(["AUTH", "s3cret"]) == .auth(user: "default", secret: "s3cret"))
    }

    @Test func errorsCarryTheUsage() {
        let cases: [([String], CallsheetError.Code, String)] = [
            (["NOPE"], .unknownCommand, "unknown command 'NOPE'; HELP lists the commands"),
            (["CONTACT.GET"], .wrongArguments, "wrong arguments for CONTACT.GET; usage: CONTACT.GET <id>"),
            (["CONTACT.GET", "1", "2"], .wrongArguments, "wrong arguments for CONTACT.GET; usage: CONTACT.GET <id>"),
            (["CONTACT.GET", "abc"], .wrongArguments, "CONTACT.GET: id must be a positive whole number, got 'abc'; usage: CONTACT.GET <id>"),
            (["CONTACT.LIST", "LIMIT", "0"], .wrongArguments, "CONTACT.LIST: LIMIT must be a whole number from 1 to 1000, got '0'"),
            (["CONTACT.ADD", "{bad"], .invalidJSON, "expected a quoted member name at byte 1"),
            (["USER.CREATE", "bob", "ROLE", "boss"], .badRequest, "unknown role 'boss'; expected admin, manager or agent"),
            (["CONTACT.LOGCALL", "1", "done", "AT", "yesterday"], .wrongArguments, "CONTACT.LOGCALL: AT expects an ISO 8601 time with its zone, such as 2026-11-24T15:30:00Z, 2026-11-24T16:30+01:00 or 2026-11-24T15:30:00.250Z, got 'yesterday'"),
        ]
        for (arguments, code, message) in cases {
            let failure = error { try Command.parse(arguments) }
            #expect(failure?.code == code, "\(arguments)")
            #expect(failure?.message == message, "\(arguments)")
        }
    }

    @Test func catalogCoversEveryParsedCommand() throws {
        for spec in CommandCatalog.all {
            // Every catalogued name is known to the parser (it fails on arguments, never as unknown).
            let failure = error { try Command.parse([spec.name]) }
            #expect(failure?.code != .unknownCommand, "\(spec.name)")
        }
    }
}
