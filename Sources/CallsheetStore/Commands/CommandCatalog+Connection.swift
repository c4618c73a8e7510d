import CallsheetCore
import CallsheetProtocol

/// The connection's commands and the data directory's operations (docs/PROTOCOL.md, "Connection"
/// and "Operations").
extension CommandCatalog {
    static let connection: [CommandDeclaration] = [
        .connection("PING", "PING [message]", "connection", .open, "Replies PONG, or the message.") { reader throws(CallsheetError) in
            let message = reader.optional()
            return { _, _ in message.map { .bulk($0) } ?? .simpleString("PONG") }
        },
        .connection("HELP", "HELP [command]", "connection", .open, "Lists commands, or explains one.") { reader throws(CallsheetError) in
            let name = reader.optional()
            return { _, _ throws(CallsheetError) in try help(name) }
        },
        .connection("AUTH", "AUTH <user> <secret>", "connection", .open, "Signs in. Every command but PING, HELP, HELLO, AUTH and QUIT needs it over TCP.") { reader throws(CallsheetError) in
            let first = try reader.next()
            let second = reader.optional()
            let (user, secret) = second.map { (first, $0) } ?? ("default", first)
            return { session, executor throws(CallsheetError) in
                guard let (shard, signedIn, generation) = await executor.directory.authenticate(user, secret: secret) else {
                    throw CallsheetError(.authFailed, "invalid user name or secret")
                }
                session.signIn(signedIn, shard: shard, generation: generation)
                return .ok
            }
        },
        .connection("HELLO", "HELLO [2]", "connection", .open, "Redis client handshake; only protocol 2 (RESP2) is spoken.") { reader throws(CallsheetError) in
            let arguments = reader.rest()
            return { _, _ throws(CallsheetError) in try hello(arguments) }
        },
        .connection("QUIT", "QUIT", "connection", .open, "Closes the connection (or leaves the REPL).") { _ throws(CallsheetError) in
            { session, _ in
                session.wantsClose = true
                return .ok
            }
        },
        .signedIn("WHOAMI", "WHOAMI", "connection", .signedIn, "Your user, role, department and organization.") { _ throws(CallsheetError) in
            { caller, session, _ throws(CallsheetError) in try await whoami(caller, session) }
        },
        .signedIn("USE", "USE [ORG] <id|name>", "connection", .owner, "REPL on a data directory: chooses the organization to work in.") { reader throws(CallsheetError) in
            let word = try reader.next()
            let name = word.uppercased() == "ORG" ? reader.optional() ?? word : word
            return { _, session, executor throws(CallsheetError) in
                guard let shard = await executor.directory.organization(named: name) else {
                    throw CallsheetError(.notFound, "no organization '\(name)' (ORG.LIST shows them)")
                }
                session.shard = shard
                return .ok
            }
        },
        compatibility("CLIENT", "CLIENT <subcommand> [...]", "Accepted and ignored, for Redis client libraries' handshakes.", reply: .ok),
        compatibility("SELECT", "SELECT <db>", "Accepted and ignored, for Redis client libraries' handshakes.", reply: .ok),
        compatibility("COMMAND", "COMMAND [...]", "Accepted (empty reply), for redis-cli's handshake.", reply: .array([])),
        .connection("ECHO", "ECHO <message>", "connection", .open, "Replies the message.") { reader throws(CallsheetError) in
            let message = try reader.next()
            return { _, _ in .bulk(message) }
        },
    ]

    static let operations: [CommandDeclaration] = [
        .signedIn("SNAPSHOT", "SNAPSHOT", "operations", .admin, "Writes a snapshot of the whole data directory now.") { _ throws(CallsheetError) in
            { caller, _, executor throws(CallsheetError) in
                let report = try await executor.directory.snapshot()
                guard caller.isOwner else {
                    // An organization's admin learns that it was written, not the server's paths or
                    // the other tenants' totals.
                    let kept: Set<String> = ["sequence", "milliseconds"]
                    guard case .object(let members) = report else { return .ok }
                    return .bulk(JSONValue.object(members.filter { kept.contains($0.0) }).serialized)
                }
                return .bulk(report.serialized)
            }
        },
        .signedIn("COMPACT", "COMPACT", "operations", .owner, "Snapshots, starts a new journal segment, and removes the snapshots and journal segments retention no longer needs; reports the data directory's bytes before and after.") { _ throws(CallsheetError) in
            { _, _, executor throws(CallsheetError) in .bulk(try await executor.directory.compact().serialized) }
        },
        .signedIn("BACKUP", "BACKUP <absolute path>", "operations", .owner, "Writes one verified file holding a snapshot and every journal record after it, on the server's machine; `callsheet restore --from FILE` restores it.") { reader throws(CallsheetError) in
            let path = try reader.next()
            return { _, _, executor throws(CallsheetError) in .bulk(try await executor.directory.backup(to: path).serialized) }
        },
    ]

    /// A Redis handshake command, accepted whatever its arguments.
    private static func compatibility(_ name: String, _ usage: String, _ summary: String, reply: RESPValue) -> CommandDeclaration {
        .connection(name, usage, "connection", .open, summary) { reader throws(CallsheetError) in
            _ = reader.rest()
            return { _, _ in reply }
        }
    }

    /// `HELP`: every command's usage by group, or one command's usage, summary and access.
    private static func help(_ name: String?) throws(CallsheetError) -> RESPValue {
        if let name {
            guard let spec = spec(named: name) else {
                throw CallsheetError(.unknownCommand, "unknown command '\(name)'; HELP lists the commands")
            }
            return .bulk("\(spec.usage)\n  \(spec.summary)\n  (\(spec.access.description))")
        }
        var lines: [String] = []
        var group = ""
        for spec in all {
            if spec.group != group {
                group = spec.group
                lines.append("\(group):")
            }
            lines.append("  \(spec.usage)")
        }
        lines.append("HELP <command> explains one.")
        return .bulk(lines.joined(separator: "\n"))
    }

    /// `HELLO [2]`: the server's handshake reply; it never signs in.
    private static func hello(_ arguments: [String]) throws(CallsheetError) -> RESPValue {
        if let version = arguments.first, version != "2" {
            throw CallsheetError(.noProtocol, "sorry, this protocol version is not supported; Callsheet speaks RESP2 (HELLO 2)")
        }
        if arguments.dropFirst().contains(where: { $0.uppercased() == "AUTH" }) {
            // Signing in goes through AUTH alone (rate limited, framing limits lifted after it).
            throw CallsheetError(.badRequest, "HELLO does not sign in here; send HELLO 2, then AUTH <user> <secret>")
        }
        return .array([.bulk("server"), .bulk("callsheet"), .bulk("version"), .bulk(CallsheetVersion.current), .bulk("proto"), .integer(2)])
    }

    private static func whoami(_ caller: Caller, _ session: Session) async throws(CallsheetError) -> RESPValue {
        var members: [(String, JSONValue)] = [
            ("user", .string(caller.name)),
            ("role", .string(caller.isOwner ? "owner" : caller.role.rawValue)),
            ("department_id", caller.departmentID.map { .integer(Int64($0)) } ?? .null),
        ]
        if let shard = session.shard {
            let organization = try await shard.read { state in state.organization }
            members.append(("organization_id", .integer(Int64(organization.id))))
            members.append(("organization", .string(organization.name)))
        } else {
            members.append(("organization_id", .null))
        }
        return .bulk(JSONValue.object(members).serialized)
    }
}
