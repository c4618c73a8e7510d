extension Command {
    /// Parses the arguments of one request (the command name first, any case) for `caller`
    /// (nil: not signed in). The command's declared ``Access`` is checked first, before any of
    /// its arguments is read, so a caller without the right pays nothing for a hostile argument.
    /// - Throws: `UNKNOWN_COMMAND`, `NOAUTH` or `FORBIDDEN` from the declaration, or
    ///   `WRONG_ARGS` with the command's usage.
    public static func parse(_ arguments: [String], caller: Caller?) throws(CallsheetError) -> Command {
        let spec = try Self.spec(of: arguments)
        try spec.access.check(caller, command: spec.name)
        return try parse(spec, Array(arguments.dropFirst()))
    }

    /// Parses without checking access: for tests and for the declarations' own checks.
    public static func parse(_ arguments: [String]) throws(CallsheetError) -> Command {
        try parse(try Self.spec(of: arguments), Array(arguments.dropFirst()))
    }

    /// The declaration of the request's command.
    public static func spec(of arguments: [String]) throws(CallsheetError) -> CommandSpec {
        guard let first = arguments.first else { throw CallsheetError(.badRequest, "empty request") }
        guard let spec = CommandCatalog.spec(named: first) else {
            throw CallsheetError(.unknownCommand, "unknown command '\(first.prefix(64))'; HELP lists the commands")
        }
        return spec
    }

    private static func parse(_ spec: CommandSpec, _ arguments: [String]) throws(CallsheetError) -> Command {
        if let command = try ImportCommand.parse(spec.name, arguments) { return .importing(command) }
        var reader = ArgumentReader(spec: spec, arguments: arguments)
        let command = try reader.parse()
        try reader.finish()
        return command
    }
}

/// Reads a command's arguments left to right, throwing the command's usage on any mismatch.
struct ArgumentReader {
    let spec: CommandSpec
    var arguments: ArraySlice<String>

    init(spec: CommandSpec, arguments: [String]) {
        self.spec = spec
        self.arguments = arguments[...]
    }

    var wrong: CallsheetError { .wrongArguments(spec.name, usage: spec.usage) }

    mutating func next() throws(CallsheetError) -> String {
        guard let value = arguments.popFirst() else { throw wrong }
        return value
    }

    mutating func optional() -> String? { arguments.popFirst() }

    mutating func id(_ what: String = "id", allowZero: Bool = false) throws(CallsheetError) -> UInt64 {
        let text = try next()
        guard let value = UInt64(text), value > 0 || allowZero else {
            throw CallsheetError(.wrongArguments, "\(spec.name): \(what) must be a positive whole number, got '\(text)'; usage: \(spec.usage)")
        }
        return value
    }

    mutating func json() throws(CallsheetError) -> JSONValue { try JSONValue.parse(try next()) }

    mutating func rest() -> [String] {
        defer { arguments = [] }
        return Array(arguments)
    }

    /// Reads `KEYWORD value` options in any order.
    mutating func options(_ keywords: Set<String>, flags: Set<String> = []) throws(CallsheetError) -> [String: String] {
        var found: [String: String] = [:]
        while let word = arguments.first?.uppercased() {
            arguments = arguments.dropFirst()
            if flags.contains(word) { found[word] = ""; continue }
            guard keywords.contains(word), let value = arguments.popFirst() else { throw wrong }
            found[word] = value
        }
        return found
    }

    func finish() throws(CallsheetError) {
        guard arguments.isEmpty else { throw wrong }
    }

    mutating func limit(_ text: String?, default fallback: Int = 50, maximum: Int = 1000, option: String = "LIMIT") throws(CallsheetError) -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw CallsheetError(.wrongArguments, "\(spec.name): \(option) must be a whole number from 1 to \(maximum), got '\(text.prefix(40))'")
        }
        return value
    }

    mutating func parse() throws(CallsheetError) -> Command {
        switch spec.name {
        case "PING": return .ping(optional())
        case "HELP": return .help(optional())
        case "AUTH":
            let first = try next()
            guard let second = optional() else { return .auth(user: "default", secret: first) }
            return .auth(user: first, secret: second)
        case "HELLO": return .hello(rest())
        case "QUIT": return .quit
        case "WHOAMI": return .whoami
        case "USE":
            let word = try next()
            if word.uppercased() == "ORG", let name = optional() { return .use(name) }
            return .use(word)
        case "ECHO": return .echo(try next())
        case "CLIENT", "SELECT", "COMMAND":
            _ = rest()
            return .compatibility(spec.name)
        case "ORG.CREATE":
            let name = try next()
            let options = try options(["REGION", "ADMIN"])
            return .orgCreate(name: name, region: options["REGION"] ?? "US", admin: options["ADMIN"])
        case "ORG.LIST": return .orgList
        case "ORG.INFO": return .orgInfo
        case "ORG.SET": return .orgSet(key: try next(), value: try next())
        case "DEPT.CREATE": return .deptCreate(try next())
        case "DEPT.LIST": return .deptList
        case "DEPT.RENAME": return .deptRename(try id("department id"), try next())
        case "DEPT.DELETE": return .deptDelete(try id("department id"))
        case "USER.CREATE":
            let name = try next()
            let options = try options(["ROLE", "DEPT"])
            guard let roleText = options["ROLE"] else { throw wrong }
            return .userCreate(name: name, role: try Role.parse(roleText), department: try department(options["DEPT"]))
        case "USER.LIST": return .userList
        case "USER.DELETE": return .userDelete(try next())
        case "USER.RESETSECRET": return .userResetSecret(try next())
        case "USER.SETROLE":
            let name = try next()
            let role = try Role.parse(try next())
            let options = try options(["DEPT"])
            return .userSetRole(name: name, role: role, department: try department(options["DEPT"]))
        case "CONTACT.ADD": return .contactAdd(try json())
        case "CONTACT.GET": return .contactGet(try id(allowZero: true))
        case "CONTACT.BYPHONE": return .contactByPhone(try next())
        case "CONTACT.UPDATE": return .contactUpdate(try id(), try json())
        case "CONTACT.DELETE":
            let id = try id()
            let options = try options([], flags: ["PERMANENT"])
            return .contactDelete(id, permanent: options["PERMANENT"] != nil)
        case "CONTACT.RESTORE": return .contactRestore(try id())
        case "CONTACT.LIST":
            let options = try options(["CURSOR", "LIMIT"], flags: ["ARCHIVED", "ALL"])
            var cursor: ContactID?
            if let text = options["CURSOR"], text != "0" {
                guard let value = UInt64(text) else { throw CallsheetError(.wrongArguments, "CONTACT.LIST: CURSOR is the next_cursor of a previous page, got '\(text)'") }
                cursor = value
            }
            let archived: ArchivedFilter = options["ALL"] != nil ? .all : options["ARCHIVED"] != nil ? .archived : .active
            return .contactList(cursor: cursor, limit: try limit(options["LIMIT"]), archived: archived)
        case "CONTACT.SEARCH":
            return .contactSearch(try ContactQuery.parse(rest()))
        case "CONTACT.CALLERID":
            let digits = try next()
            let options = try options(["LIMIT", "CURSOR"])
            var after: ContactID?
            if let text = options["CURSOR"], text != "0" {
                guard text.first == "i", let id = ContactID(text.dropFirst()) else {
                    throw CallsheetError(.wrongArguments, "CONTACT.CALLERID: CURSOR is the next_cursor of a previous page, got '\(text.prefix(40))'")
                }
                after = id
            }
            return .contactCallerID(digits, limit: try limit(options["LIMIT"], default: 10, maximum: 100), after: after)
        case "CONTACT.BULKEDIT":
            var words = rest()[...]
            let selection = try BulkSelection.parse(&words, command: spec.name)
            guard words.popFirst()?.uppercased() == "DO" else { throw wrong }
            let actions = try BulkAction.parseList(&words)
            let strict = words.popFirst()?.uppercased() == "STRICT"
            guard words.isEmpty else { throw wrong }
            return .contactBulkEdit(selection, actions, strict: strict)
        case "CONTACT.BULKDELETE":
            var words = rest()[...]
            let selection = try BulkSelection.parse(&words, command: spec.name)
            var permanent = false, strict = false
            while let word = words.popFirst()?.uppercased() {
                switch word {
                case "PERMANENT": permanent = true
                case "STRICT": strict = true
                default: throw wrong
                }
            }
            return .contactBulkDelete(selection, permanent: permanent, strict: strict)
        case "CONTACT.LOGCALL":
            let id = try id()
            let outcome = try next()
            let options = try options(["AT"])
            var time: Timestamp?
            if let text = options["AT"] {
                guard let parsed = TimestampFormat.parse(text) else {
                    throw CallsheetError(.wrongArguments, "CONTACT.LOGCALL: AT expects an ISO 8601 time with its zone, such as 2026-11-24T15:30:00Z, 2026-11-24T16:30+01:00 or 2026-11-24T15:30:00.250Z, got '\(text.prefix(80))'")
                }
                time = parsed
            }
            return .contactLogCall(id, outcome: outcome, at: time)
        case "CONTACT.COUNT": return .contactCount
        case "FIELD.CREATE": return .fieldCreate(try json())
        case "FIELD.LIST": return .fieldList
        case "FIELD.GET": return .fieldGet(try next())
        case "FIELD.UPDATE":
            let name = try next()
            let input = try json()
            return .fieldUpdate(name, input, force: try options([], flags: ["FORCE"])["FORCE"] != nil)
        case "FIELD.REORDER":
            let names = rest()
            guard !names.isEmpty else { throw wrong }
            return .fieldReorder(names)
        case "FIELD.ARCHIVE": return .fieldArchive(try next())
        case "FIELD.UNARCHIVE": return .fieldUnarchive(try next())
        case "FIELD.DELETE": return .fieldDelete(try next())
        case "TAG.LIST": return .tagList
        case "TAG.RENAME": return .tagMerge([try next()], into: try next())
        case "TAG.MERGE":
            let words = rest()
            guard let into = words.lastIndex(where: { $0.uppercased() == "INTO" }), into > 0, into == words.count - 2 else { throw wrong }
            return .tagMerge(Array(words[..<into]), into: words[into + 1])
        case "TAG.DELETE":
            let tag = try next()
            let options = try options([], flags: ["FORCE"])
            return .tagDelete(tag, force: options["FORCE"] != nil)
        case "PRESET.SAVE":
            let name = try next()
            let query = rest()
            guard !query.isEmpty else { throw wrong }
            return .presetSave(name, query)
        case "PRESET.LIST": return .presetList
        case "PRESET.GET": return .presetGet(try next())
        case "PRESET.RENAME": return .presetRename(try next(), try next())
        case "PRESET.DELETE": return .presetDelete(try next())
        case "SNAPSHOT": return .snapshot
        case "COMPACT": return .compact
        case "BACKUP": return .backup(path: try next())
        case "INFO":
            _ = optional()
            return .info
        default:
            throw CallsheetError(.unknownCommand, "unknown command '\(spec.name)'")
        }
    }

    private func department(_ text: String?) throws(CallsheetError) -> DepartmentID? {
        guard let text else { return nil }
        guard let value = UInt64(text), value > 0 else {
            throw CallsheetError(.wrongArguments, "\(spec.name): DEPT expects a department id, got '\(text)'")
        }
        return value
    }
}
