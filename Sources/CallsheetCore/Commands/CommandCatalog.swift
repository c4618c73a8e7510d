/// Who may send a command. Declared once per command in ``CommandCatalog``; the executor enforces
/// it before the command's arguments are parsed, and `HELP` prints it, so the two cannot disagree.
public enum Access: Sendable, Hashable {
    /// Any connection, signed in or not (connection handshakes).
    case open
    /// Any signed-in user, whatever their role.
    case signedIn
    /// A signed-in user with at least this role.
    case role(Role)
    /// The owner of a data directory: the REPL opened on it (`callsheet repl --data`).
    case owner

    /// The sentence `HELP <command>` prints.
    public var description: String {
        switch self {
        case .open: "open to every connection, before AUTH too"
        case .signedIn: "needs AUTH; any role"
        case .role(.admin): "needs role: admin"
        case .role(let role): "needs role: \(role.rawValue) or above"
        case .owner: "owner of the data directory only: callsheet repl --data DIR, the command line, or a running server's control socket (callsheet repl --connect DIR/control.sock)"
        }
    }

    /// Throws unless `caller` (nil: not signed in) may send the command `name`.
    /// - Throws: `NOAUTH` before `AUTH`, `FORBIDDEN` for a role or ownership the caller lacks.
    public func check(_ caller: Caller?, command name: String) throws(CallsheetError) {
        if case .open = self { return }
        guard let caller else { throw CallsheetError(.noAuth, "authentication required: AUTH <user> <secret>") }
        switch self {
        case .open, .signedIn: return
        case .role(let role): try caller.require(role, for: name)
        case .owner:
            guard caller.isOwner else {
                throw CallsheetError(.forbidden, "\(name) is for the data directory's owner: on the server's machine, as the user it runs as, send it through the server's control socket (`callsheet repl --connect DIR/control.sock`), or run `callsheet repl --data DIR` while no server runs")
            }
        }
    }
}

/// Usage, help and access of one command: the one declaration `HELP`, REPL completion, argument
/// errors and role enforcement all read.
public struct CommandSpec: Sendable, Hashable {
    public var name: String
    public var usage: String
    public var summary: String
    public var group: String
    /// Who may send it; checked before the arguments are parsed.
    public var access: Access

    init(_ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.group = group
        self.access = access
    }

    init(_ name: String, _ usage: String, _ group: String, _ role: Role, _ summary: String) {
        self.init(name, usage, group, .role(role), summary)
    }
}

/// Every command of the language. docs/PROTOCOL.md describes the same list at length.
public enum CommandCatalog {
    public static let all: [CommandSpec] = [
        CommandSpec("PING", "PING [message]", "connection", .open, "Replies PONG, or the message."),
        CommandSpec("HELP", "HELP [command]", "connection", .open, "Lists commands, or explains one."),
        CommandSpec("AUTH", "AUTH <user> <secret>", "connection", .open, "Signs in. Every command but PING, HELP, HELLO, AUTH and QUIT needs it over TCP."),
        CommandSpec("HELLO", "HELLO [2]", "connection", .open, "Redis client handshake; only protocol 2 (RESP2) is spoken."),
        CommandSpec("QUIT", "QUIT", "connection", .open, "Closes the connection (or leaves the REPL)."),
        CommandSpec("WHOAMI", "WHOAMI", "connection", .signedIn, "Your user, role, department and organization."),
        CommandSpec("USE", "USE [ORG] <id|name>", "connection", .owner, "REPL on a data directory: chooses the organization to work in."),
        CommandSpec("CLIENT", "CLIENT <subcommand> [...]", "connection", .open, "Accepted and ignored, for Redis client libraries' handshakes."),
        CommandSpec("SELECT", "SELECT <db>", "connection", .open, "Accepted and ignored, for Redis client libraries' handshakes."),
        CommandSpec("COMMAND", "COMMAND [...]", "connection", .open, "Accepted (empty reply), for redis-cli's handshake."),
        CommandSpec("ECHO", "ECHO <message>", "connection", .open, "Replies the message."),

        CommandSpec("ORG.CREATE", "ORG.CREATE <name> [REGION <cc>] [ADMIN <user>]", "organization", .owner, "Creates an organization and its first admin; prints the admin's secret once."),
        CommandSpec("ORG.LIST", "ORG.LIST", "organization", .owner, "The organizations of the data directory."),
        CommandSpec("ORG.INFO", "ORG.INFO", "organization", .agent, "The organization's settings and counts."),
        CommandSpec("ORG.SET", "ORG.SET <name|region|phone_validation|max_import_rows|max_import_bytes|duplicates|strictness|auto_tag> <value>", "organization", .admin, "Changes an organization setting."),
        CommandSpec("DEPT.CREATE", "DEPT.CREATE <name>", "organization", .admin, "Creates a department."),
        CommandSpec("DEPT.LIST", "DEPT.LIST", "organization", .manager, "Departments with their contact and user counts."),
        CommandSpec("DEPT.RENAME", "DEPT.RENAME <id> <name>", "organization", .admin, "Renames a department."),
        CommandSpec("DEPT.DELETE", "DEPT.DELETE <id>", "organization", .admin, "Deletes an empty department."),
        CommandSpec("USER.CREATE", "USER.CREATE <name> ROLE <admin|manager|agent> [DEPT <id>]", "organization", .admin, "Creates a user and prints their secret once."),
        CommandSpec("USER.LIST", "USER.LIST", "organization", .admin, "The organization's users."),
        CommandSpec("USER.DELETE", "USER.DELETE <name>", "organization", .admin, "Deletes a user."),
        CommandSpec("USER.RESETSECRET", "USER.RESETSECRET <name>", "organization", .admin, "Gives a user a new secret, printed once."),
        CommandSpec("USER.SETROLE", "USER.SETROLE <name> <role> [DEPT <id>]", "organization", .admin, "Changes a user's role or department."),

        CommandSpec("CONTACT.ADD", "CONTACT.ADD <json>", "contacts", .manager, "Creates a contact: {\"name\", \"phone\", \"email\", \"company\", \"tags\", \"notes\", \"custom_fields\", \"department_id\"}."),
        CommandSpec("CONTACT.GET", "CONTACT.GET <id>", "contacts", .agent, "One contact by id."),
        CommandSpec("CONTACT.BYPHONE", "CONTACT.BYPHONE <phone>", "contacts", .agent, "One contact by phone, written in any format."),
        CommandSpec("CONTACT.UPDATE", "CONTACT.UPDATE <id> <json>", "contacts", .manager, "Changes only the members given; null clears an optional one."),
        CommandSpec("CONTACT.DELETE", "CONTACT.DELETE <id> [PERMANENT]", "contacts", .manager, "Archives a contact, or removes it for good with PERMANENT."),
        CommandSpec("CONTACT.RESTORE", "CONTACT.RESTORE <id>", "contacts", .manager, "Brings an archived contact back."),
        CommandSpec("CONTACT.LIST", "CONTACT.LIST [CURSOR <c>] [LIMIT <n>] [ARCHIVED|ALL]", "contacts", .manager, "Contacts in id order, a page at a time."),
        CommandSpec("CONTACT.SEARCH", "CONTACT.SEARCH <text|*> [filters…] [SORT <key> [ASC|DESC]] [LIMIT <n>] [CURSOR <c>] [COUNT] [PRESET <name>]", "contacts", .manager, "Quick search (name, phone, email, company contain the text) with filters: TAGS ANY|ALL|NONE <t,…>, DEPT <id,…>, CREATED <range>, CALLED <range>|NEVER, OUTCOME <o,…>, CALLS <n..m>, ARCHIVED yes|no|any, FIELD <name> <op> [value]."),
        CommandSpec("CONTACT.CALLERID", "CONTACT.CALLERID <digits> [LIMIT <n>] [CURSOR <c>]", "contacts", .agent, "Contacts whose phone ends with the 4–12 digits (caller id without country code), in id order, LIMIT 1–100 (default 10) a page; next_cursor leads to the next page."),
        CommandSpec("CONTACT.BULKEDIT", "CONTACT.BULKEDIT IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…] DO <actions…> [STRICT]", "contacts", .manager, "Edits many contacts in one atomic change: ADDTAGS <t,…>, REMOVETAGS <t,…>, SET <field> <value>, CLEAR <field>, MOVE <dept> (admin)."),
        CommandSpec("CONTACT.BULKDELETE", "CONTACT.BULKDELETE IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…] [PERMANENT] [STRICT]", "contacts", .manager, "Archives (or with PERMANENT removes) many contacts in one atomic change."),
        CommandSpec("CONTACT.LOGCALL", "CONTACT.LOGCALL <id> <outcome> [AT <iso-time>]", "contacts", .manager, "Records a call: last call time and outcome, call count."),
        CommandSpec("CONTACT.COUNT", "CONTACT.COUNT", "contacts", .manager, "How many contacts you can see (active, archived)."),

        CommandSpec("FIELD.CREATE", "FIELD.CREATE <json>", "fields", .admin, "Defines a custom field: {\"name\", \"label\", \"type\", \"options\", \"required\", \"visible_to\"}."),
        CommandSpec("FIELD.LIST", "FIELD.LIST", "fields", .agent, "Custom fields you can see, in display order."),
        CommandSpec("FIELD.GET", "FIELD.GET <name>", "fields", .agent, "One custom field definition."),
        CommandSpec("FIELD.UPDATE", "FIELD.UPDATE <name> <json> [FORCE]", "fields", .admin, "Changes label, options, required or visible_to. Removing a dropdown option that contacts hold is refused (with their count) unless FORCE clears it from them in the same change."),
        CommandSpec("FIELD.REORDER", "FIELD.REORDER <name> [<name> ...]", "fields", .admin, "Puts the named fields first, in that order."),
        CommandSpec("FIELD.ARCHIVE", "FIELD.ARCHIVE <name>", "fields", .admin, "Hides a field from everyone; its data is kept."),
        CommandSpec("FIELD.UNARCHIVE", "FIELD.UNARCHIVE <name>", "fields", .admin, "Shows an archived field again."),
        CommandSpec("FIELD.DELETE", "FIELD.DELETE <name>", "fields", .admin, "Deletes a field and its value on every contact. Cannot be undone."),
        CommandSpec("TAG.LIST", "TAG.LIST", "tags", .manager, "Tags with the number of contacts (in your scope) carrying each."),
        CommandSpec("TAG.RENAME", "TAG.RENAME <old> <new>", "tags", .manager, "Renames a tag on every contact in your scope; onto an existing tag, merges."),
        CommandSpec("TAG.MERGE", "TAG.MERGE <tag> [<tag> ...] INTO <tag>", "tags", .manager, "Merges tags into one on every contact in your scope."),
        CommandSpec("TAG.DELETE", "TAG.DELETE <tag> [FORCE]", "tags", .manager, "Deletes a tag; refuses while contacts carry it unless FORCE removes it from them."),

        CommandSpec("PRESET.SAVE", "PRESET.SAVE <name> <text|*> [filters…] [SORT <key> [ASC|DESC]]", "presets", .manager, "Saves a search under a name (yours alone); use it with PRESET <name> in CONTACT.SEARCH and bulk commands."),
        CommandSpec("PRESET.LIST", "PRESET.LIST", "presets", .manager, "Your saved searches."),
        CommandSpec("PRESET.GET", "PRESET.GET <name>", "presets", .manager, "One saved search."),
        CommandSpec("PRESET.RENAME", "PRESET.RENAME <name> <new name>", "presets", .manager, "Renames a saved search."),
        CommandSpec("PRESET.DELETE", "PRESET.DELETE <name>", "presets", .manager, "Deletes a saved search."),

        CommandSpec("SNAPSHOT", "SNAPSHOT", "operations", .admin, "Writes a snapshot of the whole data directory now."),
        CommandSpec("INFO", "INFO", "operations", .signedIn, "Health and figures of the store."),
        CommandSpec("COMPACT", "COMPACT", "operations", .owner, "Snapshots, starts a new journal segment, and removes the snapshots and journal segments retention no longer needs; reports the data directory's bytes before and after."),
        CommandSpec("BACKUP", "BACKUP <absolute path>", "operations", .owner, "Writes one verified file holding a snapshot and every journal record after it, on the server's machine; `callsheet restore --from FILE` restores it."),
    ] + ImportCommand.catalog

    private static let byName: [String: CommandSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func spec(named name: String) -> CommandSpec? {
        guard name.utf8.count <= 32 else { return nil }
        return byName[name.uppercased()]
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
