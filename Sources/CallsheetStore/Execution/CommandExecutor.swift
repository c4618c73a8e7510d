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
        directory.counters.commands.add(1, ordering: .relaxed)
        do throws(CallsheetError) {
            try await refresh(&session)
            return try await execute(try Command.parse(arguments, caller: session.caller), session: &session)
        } catch {
            return reply(.failure(error))
        }
    }

    /// Runs pipelined requests in order and returns their replies, stopping after a `QUIT`.
    ///
    /// Each request is parsed once, after its declared access is checked. Runs of consecutive
    /// lookups (`CONTACT.GET`, `CONTACT.BYPHONE`) by a signed-in caller are answered in one visit
    /// to the shard actor instead of one each: the same replies, in the same order, one actor hop
    /// per run.
    public func execute(batch requests: [[String]], session: inout Session) async -> [RESPValue] {
        var replies: [RESPValue] = []
        replies.reserveCapacity(requests.count)
        var index = 0
        while index < requests.count {
            var end = index
            while end < requests.count, let name = requests[end].first, Self.isLookup(name) { end += 1 }
            if end - index > 1, session.caller != nil, session.shard != nil {
                directory.counters.commands.add(end - index, ordering: .relaxed)
                do throws(CallsheetError) {
                    try await refresh(&session)
                    guard let caller = session.caller, let shard = session.shard else { throw CallsheetError(.noAuth, "authentication required: AUTH <user> <secret>") }
                    let run = requests[index..<end].map { arguments -> Result<Command, CallsheetError> in
                        do throws(CallsheetError) { return .success(try Command.parse(arguments, caller: caller)) } catch { return .failure(error) }
                    }
                    let context = PlanningContext(now: Clock.now(), phones: phones)
                    let answers = try await shard.read { state in
                        run.map { parsed -> Result<RESPValue, CallsheetError> in
                            do throws(CallsheetError) {
                                return .success(try OrganizationCommands.lookup(try parsed.get(), in: state, for: caller, context: context))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    for answer in answers { replies.append(reply(answer)) }
                } catch {
                    for _ in index..<end { replies.append(reply(.failure(error))) }
                    if session.wantsClose { break }
                }
                index = end
                continue
            }
            replies.append(await execute(requests[index], session: &session))
            index += 1
            if session.wantsClose { break }
        }
        return replies
    }

    /// True for the requests a dialer pipelines (`CONTACT.GET`, `CONTACT.BYPHONE`), recognised
    /// by name alone so a run of them can share one visit to the shard.
    /// The server batches by it too, so the two never disagree. Compares bytes, allocating nothing.
    public static func isLookup(_ name: String) -> Bool {
        func equalsIgnoringCase(_ expected: StaticString) -> Bool {
            guard name.utf8.count == expected.utf8CodeUnitCount else { return false }
            return expected.withUTF8Buffer { upper in
                zip(name.utf8, upper).allSatisfy { byte, wanted in byte == wanted || (byte &- 0x61 < 26 && byte &- 0x20 == wanted) }
            }
        }
        return equalsIgnoringCase("CONTACT.GET") || equalsIgnoringCase("CONTACT.BYPHONE")
    }

    /// Brings a signed-in session up to date with its user's current record: a changed role or
    /// department applies from the very next command, and a deleted or re-keyed user is signed
    /// out (the connection closes after the reply, as Redis does for a deleted ACL user).
    ///
    /// Cheap on the hot path: one atomic load of the organization's user generation, which every
    /// change to its users bumps; only a changed generation costs a visit to the shard.
    private func refresh(_ session: inout Session) async throws(CallsheetError) {
        guard let caller = session.caller, !caller.isOwner, let shard = session.shard else { return }
        let generation = shard.userGeneration
        guard generation != session.userGeneration else { return }
        let current = await shard.user(caller.userID)
        guard let current, current.name == caller.name, current.secret == session.signedInSecret else {
            session.signOut()
            throw CallsheetError(.noAuth, "your login was deleted or its secret was reset; sign in again with AUTH <user> <secret>")
        }
        session.caller = Caller(current)
        session.userGeneration = generation
    }

    private func reply(_ result: Result<RESPValue, CallsheetError>) -> RESPValue {
        switch result {
        case .success(let reply): return reply
        case .failure(let error):
            directory.counters.record(error: error.code)
            return .error(code: error.code.rawValue, message: error.message)
        }
    }

    /// Runs one parsed command for the session's caller, whose access to it was checked when it
    /// was parsed.
    private func execute(_ command: Command, session: inout Session) async throws(CallsheetError) -> RESPValue {
        switch command {
        case .ping(let message): return message.map { .bulk($0) } ?? .simpleString("PONG")
        case .help(let name): return try help(name)
        case .hello(let arguments):
            if let version = arguments.first, version != "2" {
                throw CallsheetError(.noProtocol, "sorry, this protocol version is not supported; Callsheet speaks RESP2 (HELLO 2)")
            }
            if arguments.dropFirst().contains(where: { $0.uppercased() == "AUTH" }) {
                // Signing in goes through AUTH alone (rate limited, framing limits lifted after it).
                throw CallsheetError(.badRequest, "HELLO does not sign in here; send HELLO 2, then AUTH <user> <secret>")
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
            guard let (shard, signedIn, generation) = await directory.authenticate(user, secret: secret) else {
                throw CallsheetError(.authFailed, "invalid user name or secret")
            }
            session.signIn(signedIn, shard: shard, generation: generation)
            return .ok
        default:
            break
        }
        guard let caller = session.caller else {
            throw CallsheetError(.noAuth, "authentication required: AUTH <user> <secret>")
        }
        // The command's declared access was checked when it was parsed (Command.parse(_:caller:)).
        switch command {
        case .whoami: return try await whoami(caller, session)
        case .use(let name):
            guard let shard = await directory.organization(named: name) else {
                throw CallsheetError(.notFound, "no organization '\(name)' (ORG.LIST shows them)")
            }
            session.shard = shard
            return .ok
        case .orgCreate(let name, let region, let admin):
            let (id, secret) = try await directory.createOrganization(name: name, region: region, admin: admin ?? "admin")
            if session.shard == nil { session.shard = await directory.shard(id) }
            return .bulk(JSONValue.object([("organization_id", .integer(Int64(id))), ("admin", .string(admin ?? "admin")), ("secret", .string(secret))]).serialized)
        case .orgList:
            var list: [JSONValue] = []
            for id in await directory.organizationIDs {
                guard let shard = await directory.shard(id) else { continue }
                list.append(try await shard.read { state in state.organizationJSON() })
            }
            return .bulk(JSONValue.array(list).serialized)
        case .snapshot:
            let report = try await directory.snapshot()
            guard caller.isOwner else {
                // An organization's admin learns that it was written, not the server's paths or
                // the other tenants' totals.
                let kept: Set<String> = ["sequence", "milliseconds"]
                guard case .object(let members) = report else { return .ok }
                return .bulk(JSONValue.object(members.filter { kept.contains($0.0) }).serialized)
            }
            return .bulk(report.serialized)
        case .info:
            return .bulk(await directory.info(for: caller, shard: session.shard).serialized)
        case .compact:
            return .bulk(try await directory.compact().serialized)
        case .backup(let path):
            return .bulk(try await directory.backup(to: path).serialized)
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
            return .bulk("\(spec.usage)\n  \(spec.summary)\n  (\(spec.access.description))")
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
