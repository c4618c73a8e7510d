import CallsheetCore
import CallsheetProtocol
import Dispatch
import PhoneNumbers

/// The one path every command takes, from the REPL and from the socket alike:
/// arguments → declaration (``CommandCatalog``) → role check → arguments parsed → scope check →
/// shard actor → journal → reply.
public struct CommandExecutor: Sendable {
    public let directory: ShardDirectory
    let phones = PhoneNumberNormalizer()

    public init(directory: ShardDirectory) {
        self.directory = directory
    }

    /// Parses and runs one request. Errors become `-CODE message` replies; nothing throws.
    public func execute(_ arguments: [String], session: inout Session) async -> RESPValue {
        directory.counters.commands.add(1, ordering: .relaxed)
        let started = DispatchTime.now().uptimeNanoseconds
        let declaration = arguments.first.flatMap { CommandCatalog.declaration(named: $0) }
        var outcome = CommandStatistics.Outcome.rejected
        var failure: CallsheetError.Code?
        let answer: RESPValue
        do throws(CallsheetError) {
            try await refresh(&session)
            guard let declaration else {
                _ = try CommandCatalog.declaration(of: arguments)  // throws the request's error
                throw CallsheetError(.unknownCommand, "unknown command; HELP lists the commands")
            }
            let parsed = try CommandCatalog.parse(arguments, as: declaration, caller: session.caller)
            outcome = .failed
            answer = try await run(parsed, session: &session)
            outcome = .ok
        } catch {
            failure = error.code
            answer = reply(.failure(error))
        }
        let microseconds = (DispatchTime.now().uptimeNanoseconds &- started) / 1000
        let organization = session.organizationID
        if let declaration {
            directory.statistics.record(declaration.spec.name, organization: organization, microseconds: microseconds, outcome: outcome, error: failure)
        } else if let failure {
            directory.statistics.record(error: failure, organization: organization)
        }
        if directory.slowLog.isSlow(microseconds) {
            directory.slowLog.add(
                arguments, startedAt: (Clock.now() - Int64(microseconds / 1000)) / 1000, microseconds: microseconds, clientAddress: session.clientAddress,
                user: session.caller?.name ?? "", organization: organization)
        }
        return answer
    }

    /// Runs pipelined requests in order and returns their replies, stopping after a `QUIT`.
    ///
    /// Each request is parsed once, after its declared access is checked. Runs of consecutive
    /// lookups (``CommandDeclaration/isLookup``: `CONTACT.GET`, `CONTACT.BYPHONE`) by a signed-in
    /// caller are answered in one visit to the shard actor instead of one each: the same replies,
    /// in the same order, one actor hop per run.
    public func execute(batch requests: [[String]], session: inout Session) async -> [RESPValue] {
        var replies: [RESPValue] = []
        replies.reserveCapacity(requests.count)
        var index = 0
        while index < requests.count {
            var end = index
            while end < requests.count, let name = requests[end].first, Self.isLookup(name) { end += 1 }
            if end - index > 1, session.caller != nil, session.shard != nil {
                directory.counters.commands.add(end - index, ordering: .relaxed)
                let started = DispatchTime.now().uptimeNanoseconds
                var outcomes: [(CommandStatistics.Outcome, CallsheetError.Code?)] = []
                outcomes.reserveCapacity(end - index)
                do throws(CallsheetError) {
                    try await refresh(&session)
                    guard let caller = session.caller, let shard = session.shard else { throw CallsheetError(.noAuth, "authentication required: AUTH <user> <secret>") }
                    let runs = requests[index..<end].map { arguments -> Result<CommandDeclaration.Run, CallsheetError> in
                        do throws(CallsheetError) { return .success(try CommandCatalog.parse(arguments, caller: caller)) } catch { return .failure(error) }
                    }
                    let context = PlanningContext(now: Clock.now(), phones: phones)
                    let answers = try await shard.read { state in
                        runs.map { parsed -> Result<RESPValue, CallsheetError> in
                            do throws(CallsheetError) {
                                guard case .read(let answer) = try parsed.get() else { throw CallsheetError(.internal, "not a lookup") }
                                return .success(try answer(state, caller, context))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    for (parsed, answer) in zip(runs, answers) {
                        replies.append(reply(answer))
                        switch (parsed, answer) {
                        case (.failure(let error), _): outcomes.append((.rejected, error.code))
                        case (_, .failure(let error)): outcomes.append((.failed, error.code))
                        default: outcomes.append((.ok, nil))
                        }
                    }
                } catch {
                    for _ in index..<end {
                        replies.append(reply(.failure(error)))
                        outcomes.append((.rejected, error.code))
                    }
                }
                recordRun(requests[index..<end], outcomes: outcomes, nanoseconds: DispatchTime.now().uptimeNanoseconds &- started, session: session)
                if session.wantsClose { break }
                index = end
                continue
            }
            replies.append(await execute(requests[index], session: &session))
            index += 1
            if session.wantsClose { break }
        }
        return replies
    }

    /// Counts a run of lookups answered in one visit: each shares the run's time evenly, with
    /// the outcome the run gave it (refused while parsing, failed while answering, or ok).
    private func recordRun(
        _ requests: ArraySlice<[String]>, outcomes: [(CommandStatistics.Outcome, CallsheetError.Code?)], nanoseconds: UInt64, session: Session
    ) {
        let organization = session.organizationID
        let each = nanoseconds / UInt64(max(requests.count, 1)) / 1000
        var groups: [(name: String, outcome: CommandStatistics.Outcome, count: Int)] = []
        for (arguments, (outcome, code)) in zip(requests, outcomes) {
            guard let name = arguments.first.flatMap(Self.lookupName) else { continue }
            if let code { directory.statistics.record(error: code, organization: organization) }
            if let index = groups.firstIndex(where: { $0.name == name && $0.outcome == outcome }) {
                groups[index].count += 1
            } else {
                groups.append((name, outcome, 1))
            }
            if directory.slowLog.isSlow(each) {
                directory.slowLog.add(
                    arguments, startedAt: (Clock.now() - Int64(nanoseconds / 1_000_000)) / 1000, microseconds: each,
                    clientAddress: session.clientAddress, user: session.caller?.name ?? "", organization: organization)
            }
        }
        for group in groups {
            directory.statistics.record(group.name, organization: organization, microseconds: each * UInt64(group.count), outcome: group.outcome, count: group.count)
        }
    }

    /// True for the requests a dialer pipelines (the declared lookups: `CONTACT.GET`,
    /// `CONTACT.BYPHONE`), recognised by name alone so a run of them can share one visit to the
    /// shard. The server batches by it too, so the two never disagree. Compares bytes, allocating
    /// nothing.
    public static func isLookup(_ name: String) -> Bool { lookupName(name) != nil }

    /// The declared name of the lookup `name` spells in any case (`contact.get` → `CONTACT.GET`), or nil.
    static func lookupName(_ name: String) -> String? {
        CommandCatalog.lookupNames.first { expected in
            name.utf8.count == expected.utf8.count
                && zip(name.utf8, expected.utf8).allSatisfy { byte, wanted in byte == wanted || (byte &- 0x61 < 26 && byte &- 0x20 == wanted) }
        }
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
    /// was parsed, after what its kind needs: a signed-in caller, then a chosen organization.
    private func run(_ run: CommandDeclaration.Run, session: inout Session) async throws(CallsheetError) -> RESPValue {
        switch run {
        case .connection(let body): return try await body(&session, self)
        case .signedIn(let body):
            let caller = try signedIn(session)
            return try await body(caller, &session, self)
        case .read(let answer): return try await organization(session).read(answer)
        case .scan(let answer): return try await organization(session).scan(answer)
        case .write(let plan): return try await organization(session).write(plan)
        case .organization(let body): return try await body(try organization(session))
        }
    }

    /// The session's caller.
    /// - Throws: `NOAUTH` before `AUTH`.
    private func signedIn(_ session: Session) throws(CallsheetError) -> Caller {
        guard let caller = session.caller else {
            throw CallsheetError(.noAuth, "authentication required: AUTH <user> <secret>")
        }
        return caller
    }

    /// The session's caller in its chosen organization.
    /// - Throws: `NOAUTH` before `AUTH`, `NO_ORGANIZATION` before `USE`.
    private func organization(_ session: Session) throws(CallsheetError) -> OrganizationContext {
        let caller = try signedIn(session)
        guard let shard = session.shard else {
            throw CallsheetError(.noOrganization, "no organization chosen: USE <id|name> (ORG.LIST shows them, ORG.CREATE makes one)")
        }
        return OrganizationContext(shard: shard, caller: caller, directory: directory, phones: phones, isLocalOwner: session.isLocalOwner)
    }
}

/// The running version, reported by `HELLO` and `INFO`.
public enum CallsheetVersion {
    public static let current = "0.1.0"
}
