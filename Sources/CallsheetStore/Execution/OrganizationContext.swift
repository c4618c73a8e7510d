import CallsheetCore
import CallsheetProtocol
import PhoneNumbers

/// What a command runs with inside one organization: its shard, the caller, the directory.
struct OrganizationContext: Sendable {
    let shard: OrganizationShard
    let caller: Caller
    let directory: ShardDirectory
    let phones: PhoneNumberNormalizer
    /// True for the local REPL, the only session that may name a file path to import.
    let isLocalOwner: Bool

    private var planning: PlanningContext { PlanningContext(now: Clock.now(), phones: phones) }

    /// Answers from the organization's state, on the shard.
    func read(_ answer: @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> RESPValue) async throws(CallsheetError) -> RESPValue {
        let caller = self.caller, context = planning
        return try await shard.read { state throws(CallsheetError) in try answer(state, caller, context) }
    }

    /// Answers from a view of the organization's state, off the shard (``OrganizationShard/view()``).
    func scan(_ answer: @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> RESPValue) async throws(CallsheetError) -> RESPValue {
        let caller = self.caller, context = planning
        let state = await shard.view()
        return try answer(state, caller, context)
    }

    /// Plans a change on the shard, which journals and applies it before the reply.
    func write(_ plan: @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> ([Change], RESPValue)) async throws(CallsheetError) -> RESPValue {
        let caller = self.caller, context = planning
        let reply = try await shard.write { state throws(CallsheetError) in
            let (changes, reply) = try plan(state, caller, context)
            return (changes: changes, result: reply)
        }
        directory.counters.writes.add(1, ordering: .relaxed)
        return reply
    }

    /// The data directory's import runner, its jobs on disk loaded.
    func importRunner() async -> ImportRunner {
        let runner = ImportRunner.for(directory)
        await runner.recoverIfNeeded()
        return runner
    }
}
