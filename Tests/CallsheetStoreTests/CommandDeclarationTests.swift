import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// Every command is declared once (``CommandDeclaration``); the catalog, `HELP`, lookup batching
/// and the dispatcher must all follow the declarations, and argument errors keep their words.
@Suite struct CommandDeclarationTests {
    /// Runs `body` with an executor on a data directory in a fresh temporary folder, and the
    /// local owner's session (every right, no organization chosen).
    func withOwner(_ body: (CommandExecutor, inout Session) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "callsheet-declarations-\(UUID().uuidString)"
        let directory = try ShardDirectory.open(StoreConfiguration(directory: path), logger: .init(label: "test"))
        var owner = Session(isLocalOwner: true)
        do {
            try await body(CommandExecutor(directory: directory), &owner)
        } catch {
            await directory.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        await directory.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    func code(_ reply: RESPValue) -> String? {
        guard case .error(let text) = reply else { return nil }
        return String(text.prefix { $0 != " " })
    }

    @Test func everyDeclarationIsCompleteAndUnique() {
        let names = CommandCatalog.declarations.map(\.spec.name)
        #expect(!names.isEmpty)
        #expect(Set(names).count == names.count, "a name is declared twice: \(names)")
        #expect(CommandCatalog.all == CommandCatalog.declarations.map(\.spec))
        for declaration in CommandCatalog.declarations {
            let spec = declaration.spec
            #expect(!spec.name.isEmpty && spec.name == spec.name.uppercased(), "\(spec.name)")
            #expect(spec.usage == spec.name || spec.usage.hasPrefix(spec.name + " "), "\(spec.name): usage '\(spec.usage)'")
            #expect(!spec.summary.isEmpty && !spec.group.isEmpty, "\(spec.name)")
            #expect(CommandCatalog.spec(named: spec.name.lowercased()) == spec)
            // Lookups are reads, and the server's name test agrees with the declaration.
            #expect(!(declaration.isLookup && declaration.isWrite), "\(spec.name)")
            #expect(CommandExecutor.isLookup(spec.name) == declaration.isLookup, "\(spec.name)")
            #expect(CommandExecutor.isLookup(spec.name.lowercased()) == declaration.isLookup, "\(spec.name)")
        }
        #expect(Set(CommandCatalog.declarations.filter(\.isLookup).map(\.spec.name)) == ["CONTACT.GET", "CONTACT.BYPHONE", "DNC.CHECK"])
    }

    @Test func helpListsExactlyTheDeclaredCommands() async throws {
        try await withOwner { executor, owner in
            let help = try #require(await executor.execute(["HELP"], session: &owner).string)
            let usages = help.split(separator: "\n").filter { $0.hasPrefix("  ") }
            let listed = usages.map { String($0.dropFirst(2).prefix { $0 != " " }) }
            #expect(listed == CommandCatalog.declarations.map(\.spec.name))
            for declaration in CommandCatalog.declarations {
                let one = await executor.execute(["HELP", declaration.spec.name.lowercased()], session: &owner).string
                #expect(one?.hasPrefix(declaration.spec.usage + "\n") == true, "HELP \(declaration.spec.name)")
            }
        }
    }

    @Test func everyDeclaredCommandIsReachableThroughTheDispatcher() async throws {
        try await withOwner { executor, owner in
            for declaration in CommandCatalog.declarations {
                for name in [declaration.spec.name, declaration.spec.name.lowercased()] {
                    var session = owner
                    let reply = await executor.execute([name], session: &session)
                    #expect(code(reply) != "UNKNOWN_COMMAND", "\(name): \(reply)")
                }
            }
            #expect(await executor.execute(["NOPE"], session: &owner) == .error(code: "UNKNOWN_COMMAND", message: "unknown command 'NOPE'; HELP lists the commands"))
            #expect(await executor.execute(["CONTACT.GETX", "1"], session: &owner) == .error(code: "UNKNOWN_COMMAND", message: "unknown command 'CONTACT.GETX'; HELP lists the commands"))
            #expect(await executor.execute([], session: &owner) == .error(code: "BAD_REQUEST", message: "empty request"))
        }
    }

    @Test func argumentsAreReadCaseInsensitively() async throws {
        try await withOwner { executor, owner in
            let accepted: [[String]] = [
                ["ORG.CREATE", "Acme"], ["USE", "ORG", "Acme"], ["contact.get", "42"], ["CONTACT.DELETE", "5", "permanent"],
                ["CONTACT.LIST", "LIMIT", "10", "CURSOR", "7", "ARCHIVED"], ["CONTACT.ADD", #"{"name":"A"}"#],
                ["USER.CREATE", "bob", "ROLE", "Manager", "DEPT", "2"], ["CONTACT.LOGCALL", "3", "completed", "AT", "2025-11-24T16:00:00Z"],
                ["import.preview", "CSV", "Name,Phone\nAnn,+16502530000"], ["IMPORT.VALIDATE", "BASE64", "TmFtZQ=="],
            ]
            let refusals: Set<String> = ["WRONG_ARGS", "UNKNOWN_COMMAND", "INVALID_JSON"]
            for arguments in accepted {
                let reply = await executor.execute(arguments, session: &owner)
                #expect(code(reply).map { !refusals.contains($0) } ?? true, "\(arguments): \(reply)")
            }
        }
    }

    @Test func argumentErrorsCarryTheUsage() async throws {
        let cases: [([String], String, String)] = [
            (["CONTACT.GET"], "WRONG_ARGS", "wrong arguments for CONTACT.GET; usage: CONTACT.GET <id> [WITH CALLS [<n>]]"),
            (["CONTACT.GET", "1", "2"], "WRONG_ARGS", "wrong arguments for CONTACT.GET; usage: CONTACT.GET <id> [WITH CALLS [<n>]]"),
            (["CONTACT.GET", "abc"], "WRONG_ARGS", "CONTACT.GET: id must be a positive whole number, got 'abc'; usage: CONTACT.GET <id> [WITH CALLS [<n>]]"),
            (["CONTACT.LIST", "LIMIT", "0"], "WRONG_ARGS", "CONTACT.LIST: LIMIT must be a whole number from 1 to 1000, got '0'"),
            (["CONTACT.ADD", "{bad"], "INVALID_JSON", "expected a quoted member name at byte 1"),
            (["USER.CREATE", "bob", "ROLE", "boss"], "BAD_REQUEST", "unknown role 'boss'; expected admin, manager or agent"),
            (["CONTACT.LOGCALL", "1", "done", "AT", "yesterday"], "WRONG_ARGS", "CONTACT.LOGCALL: AT expects an ISO 8601 time with its zone, such as 2026-11-24T15:30:00Z, 2026-11-24T16:30+01:00 or 2026-11-24T15:30:00.250Z, got 'yesterday'"),
            (["IMPORT.COMMIT", "FILE", "x", "DUPLICATES", "merge"], "WRONG_ARGS", "IMPORT.COMMIT: DUPLICATES is skip, update or ask, got 'merge'"),
            (["IMPORT.COMMIT", "FILE", "x", "SHOW", "3"], "WRONG_ARGS", "wrong arguments for IMPORT.COMMIT; usage: \(CommandCatalog.spec(named: "IMPORT.COMMIT")?.usage ?? "")"),
            (["CONTACT.BULK", "{}"], "BAD_REQUEST", #"CONTACT.BULK expects a JSON array of contacts, e.g. [{"name":"Ann","phone":"+15551234567"}]"#),
        ]
        try await withOwner { executor, owner in
            for (arguments, code, message) in cases {
                #expect(await executor.execute(arguments, session: &owner) == .error(code: code, message: message), "\(arguments)")
            }
        }
    }
}
