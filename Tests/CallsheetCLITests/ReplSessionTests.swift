import Foundation
import Testing

/// End-to-end: sessions piped into the real `callsheet repl` process.
@Suite struct ReplSessionTests {
    @Test func pipedSessionPrintsPlainReplies() throws {
        let data = CLIProcess.temporaryPath("session")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let session = """
            PING
            CONTACT.GET 1
            ORG.CREATE Acme REGION US ADMIN alice
            contact.add {"name": "Ann Lee", "phone": "(650) 253-0000", "tags": "VIP, Q4"}
            CONTACT.ADD {"name": "Bo", "phone": "650.253.0000"}
            CONTACT.ADD '{"name":"Cy","phone":"+44 20 7946 0000","email":"cy@Example.COM"}'
            CONTACT.BYPHONE 16502530000
            CONTACT.UPDATE 1 {"email": "not-an-email"}
            CONTACT.GET 2
            CONTACT.ADD "unbalanced
            NOSUCH
            CONTACT.COUNT
            QUIT
            CONTACT.GET 1

            """
        let result = try CLIProcess.run(["repl", "--data", data, "--no-demo"], input: session)
        #expect(result.status == 0, "\(result.error)")
        let lines = result.lines
        #expect(lines.count == 12, "\(lines)")
        guard lines.count == 12 else { return }
        #expect(lines[0] == "PONG")
        #expect(lines[1] == "(error) NO_ORG no organization chosen: USE <id|name> (ORG.LIST shows them, ORG.CREATE makes one)")
        #expect(lines[2].hasPrefix(#"{"organization_id":1,"admin":"alice","secret":""#))
        #expect(lines[3].hasPrefix(#"{"id":1,"organization_id":1,"department_id":1,"created_by_user_id":0,"name":"Ann Lee","phone":"+16502530000","email":null,"company":null,"tags":["VIP","Q4"]"#))
        #expect(lines[4] == "(error) DUPLICATE_PHONE phone +16502530000 already belongs to contact 1")
        #expect(lines[5].contains(#""name":"Cy","phone":"+442079460000","email":"cy@example.com""#))
        #expect(lines[6].hasPrefix(#"{"id":1,"#))
        #expect(lines[7] == "(error) INVALID_FIELD field 'email': 'not-an-email' is not an email address (expected name@domain.tld)")
        #expect(lines[8].hasPrefix(#"{"id":2,"#))
        #expect(lines[9] == "(error) BAD_REQUEST Protocol error: unbalanced quotes in request")
        #expect(lines[10] == "(error) UNKNOWN_COMMAND unknown command 'NOSUCH'; HELP lists the commands")
        #expect(lines[11] == #"{"active":2,"archived":0}"#)

        // A second session on the same directory sees everything, and starts in the only organization.
        let again = try CLIProcess.run(["repl", "--data", data, "--no-demo"], input: "CONTACT.GET 2\nWHOAMI\n")
        #expect(again.lines.first?.contains(#""name":"Cy""#) == true)
        #expect(again.lines.last?.contains(#""organization":"Acme""#) == true)
    }

    /// The side paths issue 11 found wrong, typed into the real REPL as a user would.
    @Test func sidePathsAsTyped() throws {
        let data = CLIProcess.temporaryPath("sidepaths")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let session = """
            ORG.CREATE Acme REGION US ADMIN alice
            CONTACT.ADD {"name": "Sean O'Brien", "phone": "(650) 253-0000"
            CONTACT.ADD {"name": "Sean O'Brien", "phone": "(650) 253-0000"}
            CONTACT.ADD {"name": "José García", "phone": "(650) 253-0001", "company": "Acme Health"}
            CONTACT.SEARCH obrien
            CONTACT.SEARCH "garcia jose"
            CONTACT.SEARCH * OUTCOME COUNT
            CONTACT.SEARCH * TAGS SOME VIP
            CONTACT.LOGCALL 1 completed AT 2026-01-02T12:30+02:00
            CONTACT.LOGCALL 1 completed AT 2099-01-01T00:00:00Z
            CONTACT.LIST LIMIT 0
            CONTACT.SEARCH * LIMIT 0
            IMPORT.PREVIEW ROWS 0 CSV "Name,Phone"
            FIELD.CREATE {"name": "phone", "type": "text"}
            CONTACT.ADD not json

            """
        let result = try CLIProcess.run(["repl", "--data", data], input: session)
        #expect(result.status == 0, "\(result.error)")
        let lines = result.lines
        #expect(lines.count == 15, "\(lines)")
        guard lines.count == 15 else { return }
        #expect(lines[1] == "(error) BAD_REQUEST the JSON that starts with '{' at column 13 is missing its closing '}'")
        #expect(lines[4].contains("Sean O'Brien") && !lines[4].contains("García"))
        #expect(lines[5].contains("José García"))
        #expect(lines[6].hasPrefix("(error) BAD_REQUEST OUTCOME needs") && lines[6].contains("keyword COUNT"))
        #expect(lines[7].contains("ANY, ALL or NONE"))
        #expect(lines[8].contains(#""last_called_at":"2026-01-02T10:30:00.000Z""#))
        #expect(lines[9].hasPrefix("(error) BAD_REQUEST AT 2099-01-01T00:00:00.000Z is in the future"))
        #expect(lines[10] == "(error) WRONG_ARGS CONTACT.LIST: LIMIT must be a whole number from 1 to 1000, got '0'")
        #expect(lines[11] == "(error) WRONG_ARGS LIMIT must be a whole number from 1 to 1000, got '0'")
        #expect(lines[12] == "(error) WRONG_ARGS IMPORT.PREVIEW: ROWS must be a whole number from 1 to 1000, got '0'")
        #expect(lines[13].hasPrefix("(error) INVALID_FIELD 'phone' is a built-in contact field"))
        #expect(lines[14].hasPrefix("(error) INVALID_JSON expected a JSON value"))
    }

    @Test func emptyDirectoryGetsTheDemoOrganization() throws {
        let data = CLIProcess.temporaryPath("demo")
        defer { try? FileManager.default.removeItem(atPath: data) }
        // Without --demo a new directory stays empty, and says how to begin.
        let plain = try CLIProcess.run(["repl", "--data", data], input: "ORG.LIST\n")
        #expect(plain.error.contains("holds no organization yet: ORG.CREATE"))
        #expect(plain.output.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let result = try CLIProcess.run(["repl", "--data", data, "--demo"], input: "CONTACT.COUNT\nFIELD.LIST\nCONTACT.SEARCH jose LIMIT 3\nDEPT.LIST\n")
        #expect(result.status == 0)
        #expect(result.error.contains("Created the demo organization 'Demo Call Center'"))
        let lines = result.lines
        #expect(lines.count == 4)
        guard lines.count == 4 else { return }
        let count = lines[0]
        #expect(count.hasPrefix(#"{"active":2"#) && count.hasSuffix(#","archived":0}"#), "\(count)")
        #expect(lines[1].contains(#""name":"customer_id""#) && lines[1].contains(#""name":"industry""#))
        #expect(lines[2].lowercased().contains("jos"))
        #expect(lines[3].contains(#""name":"Sales""#) && lines[3].contains(#""name":"Support""#))
        // The second run does not seed again.
        let again = try CLIProcess.run(["repl", "--data", data, "--demo"], input: "ORG.LIST\n")
        #expect(!again.error.contains("Created the demo"))
        #expect(again.output.components(separatedBy: "\"name\":\"Demo Call Center\"").count == 2)
    }

    @Test func helpListsEveryCommand() throws {
        let result = try CLIProcess.run(["repl", "--data", CLIProcess.temporaryPath("help"), "--no-demo"], input: "HELP\nHELP contact.byphone\nHELP nope\n")
        #expect(result.output.contains("CONTACT.BYPHONE <phone>"))
        #expect(result.output.contains("FIELD.REORDER <name> [<name> ...]"))
        #expect(result.output.contains("One contact by phone, written in any format."))
        #expect(result.output.contains("(error) UNKNOWN_COMMAND unknown command 'nope'"))
    }
}
