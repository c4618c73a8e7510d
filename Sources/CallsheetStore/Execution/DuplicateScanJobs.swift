import Dispatch
import CallsheetCore
import CallsheetProtocol
import Synchronization

/// One `DUP.SCAN` of a scope (an admin's: the organization; a manager's: their department),
/// from its start to its end and a while after: the synchronous form runs as a job too, so that
/// `DUP.STATUS` follows either and a second scan of the scope meets the first
/// (docs/PROTOCOL.md, "Duplicates and merge").
struct DuplicateScanJob: Sendable {
    typealias ID = UInt64

    enum State: String, Sendable { case running, done, failed, cancelled }

    var id: ID
    var key: DuplicateScans.Key
    var userID: UserID
    /// The threshold asked for; nil for the organization's.
    var threshold: Int?
    var state: State = .running
    /// Written by the scan's threads; read for `DUP.STATUS`, cancelled by `DUP.CANCEL`.
    let progress = DuplicateScanProgress()
    var startedAt: Timestamp
    let started = ContinuousClock.now
    var finishedAt: Timestamp?
    var elapsedMilliseconds: Int?
    /// What the synchronous `DUP.SCAN` replies, once done.
    var result: JSONValue?
    var error: String?

    var elapsed: Int {
        elapsedMilliseconds ?? Self.milliseconds(ContinuousClock.now - started)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// `DUP.STATUS`'s reply (and `DUP.SCAN … ASYNC`'s, at the start).
    var json: JSONValue {
        let progress = self.progress
        return .object([
            ("job", .integer(Int64(id))),
            ("state", .string(state.rawValue)),
            ("scope", .string(key.department == nil ? "organization" : "department")),
            ("department", key.department.map { .integer(Int64($0)) } ?? .null),
            ("threshold", threshold.map { .integer(Int64($0)) } ?? .null),
            ("phase", .string(state == .running ? progress.phase.name : state.rawValue)),
            ("contacts_scanned", .integer(Int64(progress.contactsScanned))),
            ("contacts_total", .integer(Int64(progress.contactsTotal))),
            ("comparisons_done", .integer(Int64(progress.comparisonsDone))),
            ("comparisons_planned", .integer(Int64(progress.comparisonsPlanned))),
            ("elapsed_ms", .integer(Int64(elapsed))),
            ("started_at", .string(TimestampFormat.iso8601(startedAt))),
            ("finished_at", finishedAt.map { .string(TimestampFormat.iso8601($0)) } ?? .null),
            ("result", result ?? .null),
            ("error", error.map(JSONValue.string) ?? .null),
        ])
    }
}

/// The scan jobs of a data directory: at most one running per scope, the last
/// ``finishedKept`` finished ones of each organization kept for `DUP.STATUS`. A value behind
/// ``DuplicateScans``' lock; every method is one step, taken under it.
struct DuplicateScanJobs: Sendable {
    /// Finished jobs an organization keeps (its oldest go first).
    static let finishedKept = 16

    private var jobs: [DuplicateScanJob.ID: DuplicateScanJob] = [:]
    private var next: DuplicateScanJob.ID = 1

    /// A new running job of `key`.
    /// - Throws: `CONFLICT` naming the scope's running job: one scan of a scope at a time.
    mutating func begin(_ key: DuplicateScans.Key, userID: UserID, threshold: Int?, at now: Timestamp) throws(CallsheetError) -> DuplicateScanJob {
        if let running = jobs.values.first(where: { $0.key == key && $0.state == .running }) {
            throw CallsheetError(.conflict, "scan job \(running.id) of these contacts is running (\(running.progress.phase.name), \(running.elapsed) ms so far): follow it with DUP.STATUS \(running.id), or stop it with DUP.CANCEL \(running.id)")
        }
        let job = DuplicateScanJob(id: next, key: key, userID: userID, threshold: threshold, startedAt: now)
        next += 1
        jobs[job.id] = job
        return job
    }

    /// Ends a running job: done with its result, cancelled, or failed with its error.
    mutating func finish(_ id: DuplicateScanJob.ID, _ state: DuplicateScanJob.State, result: JSONValue? = nil, error: String? = nil, at now: Timestamp) {
        guard var job = jobs[id], job.state == .running else { return }
        job.state = state
        job.result = result
        job.error = error
        job.finishedAt = now
        job.elapsedMilliseconds = DuplicateScanJob.milliseconds(ContinuousClock.now - job.started)
        jobs[id] = job
        let finished = jobs.values.filter { $0.key.organization == job.key.organization && $0.state != .running }.sorted { $0.id > $1.id }
        for old in finished.dropFirst(Self.finishedKept) { jobs[old.id] = nil }
    }

    /// Whether `caller` may see a job: an admin every job of the organization, a manager those
    /// of their department's scope.
    static func isVisible(_ job: DuplicateScanJob, organization: OrganizationID, to caller: Caller) -> Bool {
        job.key.organization == organization && (caller.role == .admin || (job.key.department != nil && job.key.department == caller.departmentID))
    }

    /// The job `id` if `caller` may see it; without `id`, the latest job of the caller's own scope.
    /// - Throws: `NOT_FOUND`.
    func job(_ id: DuplicateScanJob.ID?, in key: DuplicateScans.Key, caller: Caller) throws(CallsheetError) -> DuplicateScanJob {
        if let id {
            guard let job = jobs[id], Self.isVisible(job, organization: key.organization, to: caller) else {
                throw CallsheetError(.notFound, "no duplicate scan job \(id) of your contacts (DUP.STATUS without a job shows your latest)")
            }
            return job
        }
        guard let latest = jobs.values.filter({ $0.key == key }).max(by: { $0.id < $1.id }) else {
            throw CallsheetError(.notFound, "no duplicate scan of your contacts yet: DUP.SCAN ASYNC starts one")
        }
        return latest
    }

    /// Running jobs by organization (INFO).
    func running(in organization: OrganizationID) -> Int {
        jobs.values.filter { $0.key.organization == organization && $0.state == .running }.count
    }
}

extension OrganizationContext {
    var scanKey: DuplicateScans.Key {
        DuplicateScans.Key(organization: shard.id, department: caller.role == .admin ? nil : caller.departmentID)
    }

    /// `DUP.SCAN`: groups the caller's scope as a job (``DuplicateScanJob``). Synchronous, it
    /// replies the result when done, as it always has; `ASYNC`, it replies the job at once and
    /// the result is `DUP.STATUS`'s when done. A scope's second scan while one runs is `CONFLICT`.
    func scanDuplicates(threshold: Int?, background: Bool) async throws(CallsheetError) -> RESPValue {
        try caller.require(.manager, for: "DUP.SCAN")
        let scans = directory.duplicateScans
        let key = scanKey, caller = self.caller
        let job = try scans.jobs.withLock { jobs throws(CallsheetError) in try jobs.begin(key, userID: caller.userID, threshold: threshold, at: Clock.now()) }
        guard background else {
            let result = await runScan(job)
            switch result {
            case .success(let reply): return .bulk(reply.serialized)
            case .failure(let error): throw error
            }
        }
        let context = self
        Task { await context.runScan(job) }
        return .bulk(job.json.serialized)
    }

    /// Runs a scan job to its end: the scan on a view off the shard, on a thread of its own;
    /// with `auto_merge` on, the merges of the groups that reach `auto_merge_threshold`; then the
    /// result kept for `DUP.GROUPS` and the job finished. A cancelled job keeps the previous scan
    /// for `DUP.GROUPS` (merges already made stay, each in `MERGE.LOG` and undoable).
    @discardableResult
    func runScan(_ job: DuplicateScanJob) async -> Result<JSONValue, CallsheetError> {
        let scans = directory.duplicateScans
        func end(_ state: DuplicateScanJob.State, _ error: CallsheetError? = nil, result: JSONValue? = nil) -> Result<JSONValue, CallsheetError> {
            scans.jobs.withLock { $0.finish(job.id, state, result: result, error: error?.message, at: Clock.now()) }
            if let result { return .success(result) }
            return .failure(error ?? CallsheetError(.conflict, "scan job \(job.id) was cancelled (DUP.CANCEL); DUP.GROUPS still serves the scan before it"))
        }
        if let gate = directory.configuration.duplicateScanGate { await gate.wait() }
        let state = await shard.view()
        let caller = self.caller, progress = job.progress
        // Seconds of work on two cores: on a thread of its own, not one of the few that answer
        // every connection's commands.
        let scanned = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: state.scanDuplicates(for: caller, threshold: job.threshold, progress: progress))
            }
        }
        guard var result = scanned else { return end(.cancelled) }
        result.milliseconds = DuplicateScanJob.milliseconds(ContinuousClock.now - job.started)
        var merges: [JSONValue] = []
        let settings = state.duplicateSettings
        if settings.autoMerge {
            // Every link of the group must reach the threshold by more than the name alone.
            for group in result.groups where group.links.allSatisfy({ $0.match.corroboratedScore >= settings.autoMergeThreshold }) {
                guard !progress.isCancelled else { return end(.cancelled) }
                let rule = "auto: " + group.rules.joined(separator: ", ")
                let score = group.links.map(\.match.corroboratedScore).min() ?? group.score
                let reply = try? await write { current, caller, context throws(CallsheetError) in
                    let plan = try current.planMerge(
                        primary: group.members[0], others: Array(group.members.dropFirst()), keep: [], rule: rule, score: score,
                        by: caller, context: context)
                    return (plan.changes, .integer(Int64(plan.entry.id)))
                }
                if case .integer(let id)? = reply { merges.append(.integer(id)) }
            }
        }
        guard !progress.isCancelled else { return end(.cancelled) }
        scans.store(result, for: job.key, at: Clock.now())
        return end(.done, result: .object([
            ("groups", .integer(Int64(result.groups.count))),
            ("contacts_in_groups", .integer(Int64(result.groups.reduce(0) { $0 + $1.members.count }))),
            ("contacts_scanned", .integer(Int64(result.contacts))),
            ("comparisons", .integer(Int64(result.comparisons))),
            ("threshold", .integer(Int64(result.threshold))),
            ("milliseconds", .integer(Int64(result.milliseconds))),
            ("auto_merged", .array(merges)),
        ]))
    }

    /// `DUP.STATUS [job]`: a job the caller may see, or their scope's latest.
    func scanStatus(_ id: DuplicateScanJob.ID?) throws(CallsheetError) -> RESPValue {
        try caller.require(.manager, for: "DUP.STATUS")
        let key = scanKey, caller = self.caller
        let job = try directory.duplicateScans.jobs.withLock { jobs throws(CallsheetError) in try jobs.job(id, in: key, caller: caller) }
        return .bulk(job.json.serialized)
    }

    /// `DUP.CANCEL <job>`: asks a running job to stop (it ends as `cancelled` within a
    /// thousand contacts or comparisons). A finished job is `CONFLICT` naming its state.
    func cancelScan(_ id: DuplicateScanJob.ID) throws(CallsheetError) -> RESPValue {
        try caller.require(.manager, for: "DUP.CANCEL")
        let key = scanKey, caller = self.caller
        let job = try directory.duplicateScans.jobs.withLock { jobs throws(CallsheetError) in try jobs.job(id, in: key, caller: caller) }
        guard job.state == .running else {
            throw CallsheetError(.conflict, "scan job \(id) is already \(job.state.rawValue); only a running scan can be cancelled")
        }
        job.progress.cancel()
        return .bulk(JSONValue.object([("job", .integer(Int64(id))), ("cancelled", .bool(true))]).serialized)
    }
}

/// A gate scan jobs wait at before scanning (``StoreConfiguration/duplicateScanGate``, tests only).
public final class DuplicateScanGate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    /// Lets every waiting and later scan through.
    public func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let passes = state.withLock { state in
                if !state.open { state.waiting.append(continuation) }
                return state.open
            }
            if passes { continuation.resume() }
        }
    }
}
