import CallsheetCore
import CallsheetProtocol
import PhoneNumbers

/// The one path every command takes, from the REPL and from the socket alike:
/// arguments → ``Command`` → role and scope check → shard actor → journal → reply.
public struct CommandExecutor: Sendable {
    public let directory: ShardDirectory
    let phones = PhoneNumberNormalizer()

    public init(directory: ShardDirectory) {
        self.directory = directory
    }

    /// Parses and runs one request. Errors become `-CODE message` replies; nothing throws.
    public func execute(_ arguments: [String], session: inout Session) async -> RESPValue {
        await run(Self.parse(arguments), session: &session)
    }

    /// Runs pipelined requests in order and returns their replies, stopping after a `QUIT`.
    ///
    /// Each request is parsed once. Runs of consecutive lookups (`CONTACT.GET`,
    /// `CONTACT.BYPHONE`) by a signed-in caller are answered in one visit to the shard actor
    /// instead of one each: the same replies, in the same order, one actor hop per run.
    public func execute(batch requests: [[String]], session: inout Session) async -> [RESPValue] {
        let parsed = requests.map(Self.parse)
        var replies: [RESPValue] = []
        replies.reserveCapacity(requests.count)
        var index = 0
        while index < parsed.count {
            var end = index
            while end < parsed.count, case .success(let command) = parsed[end], OrganizationCommands.isLookup(command) { end += 1 }
            if end - index > 1, let caller = session.caller, let shard = session.shard {
                let run = parsed[index..<end].compactMap { try? $0.get() }
                let context = PlanningContext(now: Clock.now(), phones: phones)
                let answers = try? await shard.read { state in
                    run.map { command -> Result<RESPValue, CallsheetError> in
                        do throws(CallsheetError) {
                            return .success(try OrganizationCommands.lookup(command, in: state, for: caller, context: context))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                directory.counters.commands.add(run.count, ordering: .relaxed)
                for answer in answers ?? [] { replies.append(reply(answer)) }
                index = end
                continue
            }
            replies.append(await run(parsed[index], session: &session))
            index += 1
            if session.wantsClose { break }
        }
        return replies
    }

    private static func parse(_ arguments: [String]) -> Result<Command, CallsheetError> {
        do throws(CallsheetError) { return .success(try Command.parse(arguments)) } catch { return .failure(error) }
    }

    /// Runs one parsed request, counting it (and its error, if any).
    private func run(_ parsed: Result<Command, CallsheetError>, session: inout Session) async -> RESPValue {
        directory.counters.commands.add(1, ordering: .relaxed)
        do throws(CallsheetError) {
            return try await execute(try parsed.get(), session: &session)
        } catch {
            return reply(.failure(error))
        }
    }

    private func reply(_ result: Result<RESPValue, CallsheetError>) -> RESPValue {
        switch result {
        case .success(let reply): return reply
        case .failure(let error):
            directory.counters.record(error: error.code)
            return .error(code: error.code.rawValue, message: error.message)
        }
    }

    /// Runs one parsed command for the session's caller.
    public func execute(_ command: Command, session: inout Session) async throws(CallsheetError) -> RESPValue {
        switch command {
        case .ping(let message): return message.map { .bulk($0) } ?? .simpleString("PONG")
        case .help(let name): return try help(name)
        case .hello(let arguments):
            if let version = arguments.first, version != "2" {
                throw CallsheetError(.noProtocol, "sorry, this protocol version is not supported; Callsheet speaks RESP2 (HELLO 2)")
            }
            return .array([.bulk("server"), .bulk("callsheet"), .bulk("version"), .bulk(CallsheetVersion.current), .bulk("proto"), .integer(2)])
        case .quit:
            session.wantsClose = true
            return .ok
        case .echo(let message):
            return .bulk(message)
        case .compatibility(let name):
            return name == "COMMAND" ? .array([]) : .ok
        case .auth(let user, let secret):
            guard let (shard, signedIn) = await directory.authenticate(user, secret: secret) else {
                throw CallsheetError(.authFailed, "invalid user name or secret")
            }
            session.caller = Caller(signedIn)
            session.shard = shard
            return .ok
        default:
            break
        }
        guard let caller = session.caller else {
            throw CallsheetError(.noAuth, "authentication required: AUTH <user> <secret>")
        }
        switch command {
        case .whoami: return try await whoami(caller, session)
        case .use(let name):
            guard session.isLocalOwner else { throw CallsheetError(.forbidden, "USE is for the REPL on a data directory; over TCP your organization is your login's") }
            guard let shard = await directory.organization(named: name) else {
                throw CallsheetError(.notFound, "no organization '\(name)' (ORG.LIST shows them)")
            }
            session.shard = shard
            return .ok
        case .orgCreate(let name, let region, let admin):
            guard session.isLocalOwner else { throw CallsheetError(.forbidden, "ORG.CREATE runs on the data directory itself: `callsheet org create` or the local REPL") }
            let (id, secret) = try await directory.createOrganization(name: name, region: region, admin: admin ?? "admin")
            if session.shard == nil { session.shard = await directory.shard(id) }
            return .bulk(JSONValue.object([("organization_id", .integer(Int64(id))), ("admin", .string(admin ?? "admin")), ("secret", .string(secret))]).serialized)
        case .orgList:
            guard session.isLocalOwner else { throw CallsheetError(.forbidden, "ORG.LIST is for the data directory's owner") }
            var list: [JSONValue] = []
            for id in await directory.organizationIDs {
                guard let shard = await directory.shard(id) else { continue }
                list.append(try await shard.read { state in state.organizationJSON() })
            }
            return .bulk(JSONValue.array(list).serialized)
        case .snapshot:
            try caller.require(.admin, for: "SNAPSHOT")
            let report = try await directory.snapshot()
            return .bulk(report.serialized)
        case .info:
            return .bulk(await directory.info(for: caller, shard: session.shard).serialized)
        default:
            break
        }
        guard let shard = session.shard else {
            throw CallsheetError(.noOrganization, "no organization chosen: USE <id|name> (ORG.LIST shows them, ORG.CREATE makes one)")
        }
        if case .importing(let importCommand) = command {
            return try await ImportRunner.for(directory).run(importCommand, caller: caller, shard: shard, isLocalOwner: session.isLocalOwner)
        }
        return try await OrganizationCommands(shard: shard, caller: caller, directory: directory, phones: phones).run(command)
    }

    private func whoami(_ caller: Caller, _ session: Session) async throws(CallsheetError) -> RESPValue {
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

    private func help(_ name: String?) throws(CallsheetError) -> RESPValue {
        if let name {
            guard let spec = CommandCatalog.spec(named: name) else {
                throw CallsheetError(.unknownCommand, "unknown command '\(name)'; HELP lists the commands")
            }
            let role = spec.role.map { "needs role: \($0.rawValue)" } ?? "open to every connection"
            return .bulk("\(spec.usage)\n  \(spec.summary)\n  (\(role))")
        }
        var lines: [String] = []
        var group = ""
        for spec in CommandCatalog.all {
            if spec.group != group {
                group = spec.group
                lines.append("\(group):")
            }
            lines.append("  \(spec.usage)")
        }
        lines.append("HELP <command> explains one.")
        return .bulk(lines.joined(separator: "\n"))
    }
}

/// The running version, reported by `HELLO` and `INFO`.
public enum CallsheetVersion {
    public static let current = "0.1.0"
}
