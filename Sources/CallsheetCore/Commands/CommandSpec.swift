/// Who may send a command. Declared once per command, with it (`Sources/CallsheetStore/Commands/`); the executor enforces
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

    /// Signed in as an admin.
    public static var admin: Access { .role(.admin) }
    /// Signed in as a manager or an admin.
    public static var manager: Access { .role(.manager) }
    /// Signed in with any role from agent up.
    public static var agent: Access { .role(.agent) }

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

/// Usage, help and access of one command, part of its declaration: `HELP`, REPL completion,
/// argument errors and role enforcement all read it.
public struct CommandSpec: Sendable, Hashable {
    public var name: String
    public var usage: String
    public var summary: String
    public var group: String
    /// Who may send it; checked before the arguments are parsed.
    public var access: Access

    public init(_ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.group = group
        self.access = access
    }
}
