/// Usage and help of one command, for `HELP`, REPL completion and argument errors.
public struct CommandSpec: Sendable, Hashable {
    public var name: String
    public var usage: String
    public var summary: String
    public var group: String
    /// Least role that may run it; nil for connection commands anyone may send.
    public var role: Role?

    init(_ name: String, _ usage: String, _ group: String, _ role: Role?, _ summary: String) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.group = group
        self.role = role
    }
}

/// Every command of the language. docs/PROTOCOL.md describes the same list at length.
public enum CommandCatalog {
    public static let all: [CommandSpec] = [
        CommandSpec("PING", "PING [message]", "connection", nil, "Replies PONG, or the message."),
        CommandSpec("HELP", "HELP [command]", "connection", nil, "Lists commands, or explains one."),
        CommandSpec("AUTH", "AUTH <user> <secret>", "connection", nil, "Signs in. Every command but PING, HELP, HELLO, AUTH and QUIT needs it over TCP."),
        CommandSpec("HELLO", "HELLO [2]", "connection", nil, "Redis client handshake; only protocol 2 (RESP2) is spoken."),
        CommandSpec("QUIT", "QUIT", "connection", nil, "Closes the connection (or leaves the REPL)."),
        CommandSpec("WHOAMI", "WHOAMI", "connection", nil, "Your user, role, department and organization."),
        CommandSpec("USE", "USE [ORG] <id|name>", "connection", nil, "REPL on a data directory: chooses the organization to work in."),
        CommandSpec("CLIENT", "CLIENT <subcommand> [...]", "connection", nil, "Accepted and ignored, for Redis client libraries' handshakes."),
        CommandSpec("SELECT", "SELECT <db>", "connection", nil, "Accepted and ignored, for Redis client libraries' handshakes."),
        CommandSpec("COMMAND", "COMMAND [...]", "connection", nil, "Accepted (empty reply), for redis-cli's handshake."),
        CommandSpec("ECHO", "ECHO <message>", "connection", nil, "Replies the message."),

        CommandSpec("ORG.CREATE", "ORG.CREATE <name> [REGION <cc>] [ADMIN <user>]", "organization", .admin, "Owner only: creates an organization and its first admin; prints the admin's secret once."),
        CommandSpec("ORG.LIST", "ORG.LIST", "organization", .admin, "Owner only: the organizations of the data directory."),
        CommandSpec("ORG.INFO", "ORG.INFO", "organization", .agent, "The organization's settings and counts."),
        CommandSpec("ORG.SET", "ORG.SET <name|region|phone_validation|max_import_rows|max_import_bytes> <value>", "organization", .admin, "Changes an organization setting."),
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
        CommandSpec("CONTACT.CALLERID", "CONTACT.CALLERID <digits> [LIMIT <n>]", "contacts", .agent, "Contacts whose phone ends with the 4–12 digits (caller id without country code)."),
        CommandSpec("CONTACT.BULKEDIT", "CONTACT.BULKEDIT IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…] DO <actions…> [STRICT]", "contacts", .manager, "Edits many contacts in one atomic change: ADDTAGS <t,…>, REMOVETAGS <t,…>, SET <field> <value>, CLEAR <field>, MOVE <dept> (admin)."),
        CommandSpec("CONTACT.BULKDELETE", "CONTACT.BULKDELETE IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…] [PERMANENT] [STRICT]", "contacts", .manager, "Archives (or with PERMANENT removes) many contacts in one atomic change."),
        CommandSpec("CONTACT.LOGCALL", "CONTACT.LOGCALL <id> <outcome> [AT <iso-time>]", "contacts", .manager, "Records a call: last call time and outcome, call count."),
        CommandSpec("CONTACT.COUNT", "CONTACT.COUNT", "contacts", .manager, "How many contacts you can see (active, archived)."),

        CommandSpec("FIELD.CREATE", "FIELD.CREATE <json>", "fields", .admin, "Defines a custom field: {\"name\", \"label\", \"type\", \"options\", \"required\", \"visible_to\"}."),
        CommandSpec("FIELD.LIST", "FIELD.LIST", "fields", .agent, "Custom fields you can see, in display order."),
        CommandSpec("FIELD.GET", "FIELD.GET <name>", "fields", .agent, "One custom field definition."),
        CommandSpec("FIELD.UPDATE", "FIELD.UPDATE <name> <json>", "fields", .admin, "Changes label, options, required or visible_to."),
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
        CommandSpec("INFO", "INFO", "operations", .agent, "Health and figures of the store."),
    ] + ImportCommand.catalog

    private static let byName: [String: CommandSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func spec(named name: String) -> CommandSpec? { byName[name.uppercased()] }
}
