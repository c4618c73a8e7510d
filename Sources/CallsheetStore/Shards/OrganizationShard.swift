import CallsheetCore
import CallsheetStorage
import Synchronization

/// The actor that owns one organization's state. Reads run on it without waiting for anything;
/// writes are planned, journaled, applied and then acknowledged once the journal says durable.
///
/// Writes of one shard share fsyncs (group commit): a write applies its changes at once so the
/// next command plans against them, then waits for the journal. If the journal fails, every
/// change not yet durable is undone, newest first, and its command gets `UNAVAILABLE`.
/// Reads may see a change a few microseconds before it is durable, as Redis readers do under
/// `appendfsync always`; nobody is told it was stored until it is.
public actor OrganizationShard {
    public let id: OrganizationID
    private(set) var state: OrganizationState
    private let journal: JournalWriter?
    /// Changes applied but not yet durable: (ticket, journal receipt, undo list). Tickets only grow.
    private var pending: [(ticket: UInt64, receipt: JournalWriter.Receipt, undo: [Change])] = []
    private var nextTicket: UInt64 = 0
    /// Bumped by every applied (or undone) change to the organization's users, so a signed-in
    /// session can tell with one atomic load whether its user's record may have changed.
    private let userGenerationCounter = Atomic<UInt64>(0)

    /// A shard over `state`; writes go to `journal` (nil: in-memory only, for tests of the core).
    public init(state: OrganizationState, journal: JournalWriter?) {
        self.id = state.organization.id
        self.state = state
        self.journal = journal
        if !state.duplicateKeys.isBuilt { Task { await self.buildDeferredDuplicateKeys() } }
    }

    /// Builds the duplicate keys a snapshot load left to build (``DuplicateKeyIndex``), off the
    /// shard so that the organization answers meanwhile, and adopts them with the writes made
    /// since. Until then a write's duplicate check searches text instead.
    func buildDeferredDuplicateKeys() async {
        guard let pending = state.duplicateKeys.pendingBuild else { return }
        let table = pending.table
        let built = await Task.detached(priority: .utility) { DuplicateKeyIndex.built(from: table) }.value
        state.adoptDuplicateKeys(built, for: pending.marker)
    }

    /// Runs a read against the current state.
    public func read<T: Sendable>(_ body: @Sendable (OrganizationState) throws(CallsheetError) -> T) throws(CallsheetError) -> T {
        try body(state)
    }

    /// The state as of now, for a read that walks many contacts (a search, a count): O(1) to
    /// take, since the state's large parts are chunks a copy shares, and read off the shard, so
    /// the organization's writes go on meanwhile. A write that lands while the view lives copies
    /// the chunks it touches (docs/STORAGE.md, "Memory layout").
    public func view() -> OrganizationState {
        undoDiscardedChanges()
        return state
    }

    /// Plans a write with `plan`, journals its changes, applies them, and returns once durable.
    /// A plan that returns no changes is acknowledged at once (nothing to store).
    /// - Throws: the plan's error (nothing changed), or `UNAVAILABLE` when the journal cannot store it.
    public func write<T: Sendable>(_ plan: @Sendable (OrganizationState) throws(CallsheetError) -> (changes: [Change], result: T)) async throws(CallsheetError) -> T {
        let (changes, result) = try planned(plan)
        guard !changes.isEmpty else { return result }
        try await commit(changes)
        return result
    }

    /// Journals and applies changes already planned against this state.
    func commit(_ planned: [Change]) async throws(CallsheetError) {
        guard let staged = try stage(planned), let journal else { return }
        let ticket = staged.ticket
        do {
            try await journal.waitDurable(staged.receipt)
        } catch {
            // Unless ``undoDiscardedChanges()`` undid it already: then what follows it in `pending`
            // was appended after the journal recovered, and may well be durable.
            if pending.contains(where: { $0.ticket == ticket }) { rollBack(from: ticket) }
            throw CallsheetError(.unavailable, "the write was not stored: \(error.clientMessage); nothing changed")
        }
        pending.removeAll { $0.ticket == ticket }
    }

    // The two steps below are synchronous on purpose: an async function that reads `state` to
    // pass it along copies the whole struct into its frame (a retain of each of its dozens of
    // references, then a release), which measured about a tenth of a logged call's time.

    /// Runs `plan` against the state (after undoing what a journal failure discarded).
    private func planned<T>(_ plan: (OrganizationState) throws(CallsheetError) -> (changes: [Change], result: T)) throws(CallsheetError) -> (changes: [Change], result: T) {
        undoDiscardedChanges()
        return try plan(state)
    }

    /// Encodes the changes into the journal and applies them; returns the ticket and receipt to
    /// wait for, or nil when there is no journal (applied in memory only).
    private func stage(_ planned: [Change]) throws(CallsheetError) -> (ticket: UInt64, receipt: JournalWriter.Receipt)? {
        undoDiscardedChanges()
        // Puts of contacts that exist journal (and apply) as the fields they change.
        let changes = Change.patches(planned, against: state)
        guard let journal else {
            state.apply(changes)
            noteUserChanges(changes)
            return nil
        }
        guard let payload = RecordCodec.encode(ChangeSet(organizationID: id, changes: changes), limit: JournalFormat.maximumPayloadLength) else {
            throw CallsheetError(.limit, "this change is too large for one journal record (over \(JournalFormat.maximumPayloadLength >> 20) MiB); nothing changed: split it into smaller bulk edits or imports")
        }
        let receipt: JournalWriter.Receipt
        do {
            receipt = try journal.appendRecord(type: JournalRecordType.changeSet, payload: payload)
        } catch {
            throw CallsheetError(.unavailable, "the journal cannot store writes right now: \(error.clientMessage); nothing changed")
        }
        let ticket = nextTicket
        nextTicket += 1
        pending.append((ticket, receipt, state.apply(changes)))
        noteUserChanges(changes)
        return (ticket, receipt)
    }

    /// Undoes the pending changes whose journal records a failure discarded, before anything is
    /// planned on top of them: a write planned against them and stored after the journal recovered
    /// would otherwise be undone with them (stored, acknowledged, and missing until a restart).
    /// Their own commands get their error when their waits return.
    private func undoDiscardedChanges() {
        // Pending changes are in journal order: if the oldest came after the last failure, all did.
        guard let journal, let oldest = pending.first, oldest.receipt.failures < journal.failureCount,
            let first = pending.first(where: { journal.wasDiscarded($0.receipt) })
        else { return }
        rollBack(from: first.ticket)
    }

    /// Undoes every pending change from `ticket` on, newest first.
    private func rollBack(from ticket: UInt64) {
        while let last = pending.last, last.ticket >= ticket {
            pending.removeLast()
            state.apply(last.undo)
            noteUserChanges(last.undo)
        }
    }

    /// Applies a replayed journal record. Only during recovery.
    func replay(_ changes: [Change]) {
        state.apply(changes)
        noteUserChanges(changes)
    }

    /// The organization's user generation: it changes whenever any of its users is created,
    /// changed, deleted or re-keyed.
    public nonisolated var userGeneration: UInt64 { userGenerationCounter.load(ordering: .acquiring) }

    /// A user's current record, if they still exist.
    public func user(_ id: UserID) -> User? { state.users[id] }

    private func noteUserChanges(_ changes: [Change]) {
        let touchesUsers = changes.contains { change in
            switch change {
            case .putUser, .removeUser: true
            default: false
            }
        }
        if touchesUsers { userGenerationCounter.add(1, ordering: .releasing) }
    }

    /// A copy of the state for a snapshot, with the journal sequence it covers: every record of this
    /// organization with a lower or equal sequence is in the copy.
    func capture() -> (state: OrganizationState, sequence: UInt64) {
        // Changes a failure discarded but whose commands have not heard yet are not in the copy.
        undoDiscardedChanges()
        return (state, (journal?.nextSequence ?? 1) - 1)
    }

    /// The user named `name` when `secret` matches; compared in constant time either way.
    /// Also returns the user generation the record was read at.
    func authenticate(_ name: String, secret: String) -> (User, UInt64)? {
        let user = state.users.values.first { $0.name == name }
        let matches = (user?.secret ?? .decoy).matches(secret)
        guard matches, let user else { return nil }
        return (user, userGeneration)
    }

    /// Brute-force index check, for tests.
    public func _checkInvariants() -> [String] { state._checkInvariants() }
}

/// Journal record types. Payloads: docs/STORAGE.md, "Record payloads".
public enum JournalRecordType {
    /// A ``ChangeSet`` in ``RecordCodec`` encoding.
    public static let changeSet: UInt16 = 1
}
