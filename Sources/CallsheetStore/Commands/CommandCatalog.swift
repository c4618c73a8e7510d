import CallsheetCore

/// Every command of the language, each declared once (``CommandDeclaration``), in the order
/// `HELP` lists them. docs/PROTOCOL.md describes the same list at length.
public enum CommandCatalog {
    /// The declarations, group by group.
    public static let declarations: [CommandDeclaration] =
        connection + organization + contacts + duplicates + calls + campaignCommands + retention + export + fields + presets + operations + observability + importing

    /// The declarations' specs, for `HELP` and completion.
    public static let all: [CommandSpec] = declarations.map(\.spec)

    private static let byName: [String: CommandDeclaration] = Dictionary(uniqueKeysWithValues: declarations.map { ($0.spec.name, $0) })

    /// Names of the lookups (``CommandDeclaration/isLookup``), for ``CommandExecutor/isLookup(_:)``.
    static let lookupNames: [String] = declarations.filter(\.isLookup).map(\.spec.name)

    /// The declaration of the command `name` (any case), if there is one.
    public static func declaration(named name: String) -> CommandDeclaration? {
        guard name.utf8.count <= 32 else { return nil }
        return byName[name.uppercased()]
    }

    /// The spec of the command `name` (any case), if there is one.
    public static func spec(named name: String) -> CommandSpec? { declaration(named: name)?.spec }

    /// The declaration of a request's command, its name first.
    /// - Throws: `BAD_REQUEST` for an empty request, `UNKNOWN_COMMAND` for an undeclared name.
    public static func declaration(of arguments: [String]) throws(CallsheetError) -> CommandDeclaration {
        guard let first = arguments.first else { throw CallsheetError(.badRequest, "empty request") }
        guard let declaration = declaration(named: first) else {
            throw CallsheetError(.unknownCommand, "unknown command '\(first.prefix(64))'; HELP lists the commands")
        }
        return declaration
    }

    /// Parses one request (the command name first, any case) for `caller` (nil: not signed in).
    /// The command's declared ``Access`` is checked first, before any of its arguments is read,
    /// so a caller without the right pays nothing for a hostile argument.
    /// - Throws: `UNKNOWN_COMMAND`, `NOAUTH` or `FORBIDDEN` from the declaration, or
    ///   `WRONG_ARGS` with the command's usage.
    static func parse(_ arguments: [String], caller: Caller?) throws(CallsheetError) -> CommandDeclaration.Run {
        try parse(arguments, as: try declaration(of: arguments), caller: caller)
    }

    /// Parses a request whose declaration was already looked up: the access check, then the arguments.
    static func parse(_ arguments: [String], as declaration: CommandDeclaration, caller: Caller?) throws(CallsheetError) -> CommandDeclaration.Run {
        try declaration.spec.access.check(caller, command: declaration.spec.name)
        return try declaration.parse(arguments.dropFirst())
    }
}

extension CommandCatalog {
    /// False for a typed line that carries a secret (`AUTH`, `HELLO … AUTH`), which the REPL
    /// keeps out of its history file, as redis-cli does.
    public static func keepsInHistory(_ line: String) -> Bool {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).prefix(8).map { $0.uppercased() }
        guard let first = words.first else { return false }
        let name = first.trimmingCharacters(in: "\"'")
        if name == "AUTH" { return false }
        if name == "HELLO", words.contains(where: { $0.contains("AUTH") }) { return false }
        return true
    }
}

private extension String {
    func trimmingCharacters(in quotes: String) -> String {
        var text = Substring(self)
        while let first = text.first, quotes.contains(first) { text = text.dropFirst() }
        while let last = text.last, quotes.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
