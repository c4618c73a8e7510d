import CallsheetCore
import Foundation

/// Jobs: every commit is one, whether the caller waits for it (`IMPORT.COMMIT`) or not (`IMPORT.START`).
extension ImportRunner {
    func newJob(_ source: ImportSource, caller: Caller, organization: OrganizationID) -> ImportJob {
        let job = ImportJob(id: nextJobID, organizationID: organization, userID: caller.userID, userName: caller.name,
                            source: source.description, startedAt: Clock.now())
        nextJobID += 1
        jobs[job.id] = job
        progress[job.id] = ProgressCounter()
        files.save(job)
        return job
    }

    func update(_ id: ImportJobID, _ change: (inout ImportJob) -> Void) {
        guard var job = jobs[id] else { return }
        change(&job)
        jobs[id] = job
        files.save(job)
    }

    /// Runs job `id` to its end and returns it with the plan (nil when it failed before planning).
    func runJob(_ id: ImportJobID, source: ImportSource, options: ImportOptions, caller: Caller,
                shard: OrganizationShard, isLocalOwner: Bool) async -> (ImportJob, ImportPlan?) {
        var plan: ImportPlan?
        do {
            // IMPORT.CANCEL may end the job at any await below until it starts storing: each
            // step first checks that it was not, and never overwrites a cancelled state.
            let organization = try await shard.read { state in state.organization }
            guard advance(id, to: .fetching) else { return (cancelled(id), nil) }
            let bytes = try await load(source, caller: caller, organization: organization, isLocalOwner: isLocalOwner, job: id)
            guard advance(id, to: .validating) else { return (cancelled(id), nil) }
            let prepared = try await prepare(bytes, options: options, settings: organization.settings.importing, caller: caller, shard: shard)
            guard advance(id, to: .validating) else { return (cancelled(id), nil) }
            update(id) { $0.totalRows = prepared.document.records.count }
            let counter = progress[id] ?? ProgressCounter()
            guard let checked = await OrganizationState.checkRows(prepared.document.records, layout: prepared.layout, phones: phones, progress: { counter.set($0) }),
                  advance(id, to: .committing) else {
                return (cancelled(id), nil)
            }
            let files = self.files
            let committing = jobs[id]
            let planned = try await commit(checked, prepared: prepared, caller: caller, shard: shard, job: id) { plan in
                guard var job = committing, case .putContact(let first)? = plan.changes.first else { return }
                job.marker = ImportJob.CommitMarker(contactID: first.id, phone: first.phone, time: first.updatedAt)
                // The counts go with the marker: a crash right after the journal write still
                // reports what was stored, not zeros.
                job.record(plan)
                files.save(job)
            }
            plan = planned
            update(id) { job in
                job.record(planned)
                if case .putContact(let first)? = planned.changes.first {
                    job.marker = ImportJob.CommitMarker(contactID: first.id, phone: first.phone, time: first.updatedAt)
                }
            }
            let issues = prepared.document.warnings + planned.issues
            if planned.options.strictness == .strict, planned.rejected > 0 {
                let first = planned.issues.first.map { " First: row \($0.row)\($0.column.map { ", column \($0)" } ?? ""): \($0.reason)" } ?? ""
                return (finish(id, state: .rejected, message: "strict import refused: \(planned.rejected) of \(planned.rows.count) rows are invalid; nothing was stored.\(first)", issues: issues), plan)
            }
            if planned.needsReview > 0 {
                return (finish(id, state: .needsReview, message: "\(planned.needsReview) rows match existing contacts; nothing was stored. Review them, then run again with DUPLICATES skip or update", issues: issues), plan)
            }
            let merged = await autoMerge(planned, job: id, caller: caller, shard: shard)
            return (finish(id, state: .completed, message: "created \(planned.created), updated \(planned.updated), skipped \(planned.skipped), rejected \(planned.rejected)" + (merged > 0 ? ", merged \(merged) into existing contacts (MERGE.LOG)" : ""), issues: issues), plan)
        } catch {
            if let job = jobs[id], job.state.isFinished { return (job, plan) }
            let issue = ImportIssue(row: 0, column: nil, code: .init(rawValue: error.code.rawValue), reason: error.message)
            return (finish(id, state: .failed, message: "\(error.code.rawValue) \(error.message)", issues: [issue]), plan)
        }
    }

    /// Moves job `id` to `state` unless it was cancelled (by IMPORT.CANCEL or its task); false
    /// then, and nothing may be stored.
    func advance(_ id: ImportJobID, to state: ImportJob.State) -> Bool {
        guard !Task.isCancelled, let job = jobs[id], !job.state.isFinished else { return false }
        if job.state != state { update(id) { $0.state = state } }
        return true
    }

    /// The job as its cancellation left it, finishing it if nobody did yet.
    func cancelled(_ id: ImportJobID) -> ImportJob {
        if let job = jobs[id], job.state.isFinished { return job }
        return finish(id, state: .cancelled, message: "cancelled before anything was stored", issues: [])
    }

    /// Records the outcome, the error report and the log line.
    func finish(_ id: ImportJobID, state: ImportJob.State, message: String, issues: [ImportIssue]) -> ImportJob {
        update(id) { job in
            job.state = state
            job.message = message
            job.finishedAt = Clock.now()
            if state != .completed {
                job.created = 0
                job.updated = 0
            }
        }
        let report = ImportReport.errorsCSV(issues)
        if files.root == nil { errorReports[id] = report } else { files.saveErrors(report, job: id) }
        tasks[id] = nil
        progress[id] = nil
        guard let job = jobs[id] else { return ImportJob(id: id, organizationID: 0, userID: 0, userName: "", source: "", startedAt: 0) }
        files.log(logLine(job))
        return job
    }

    /// The job if `caller` may see it: admins see their organization's, managers their own.
    /// - Throws: `NOT_FOUND`, saying the job expired to those who could see it (``missingJob(_:caller:organization:)``).
    func visibleJob(_ id: ImportJobID, caller: Caller, organization: OrganizationID) throws(CallsheetError) -> ImportJob {
        try caller.require(.manager, for: "IMPORT.STATUS")
        guard let job = jobs[id], isVisible(job, to: caller, organization: organization) else {
            throw missingJob(id, caller: caller, organization: organization)
        }
        return job
    }

    func isVisible(_ job: ImportJob, to caller: Caller, organization: OrganizationID) -> Bool {
        job.organizationID == organization && (caller.role == .admin || job.userID == caller.userID)
    }

    /// `IMPORT.JOBS`: a page of the jobs `caller` sees, newest first, as `CONTACT.LIST` pages:
    /// `{"jobs":[…],"count":n,"next_cursor":"41"|null[,"total":n]}`. The cursor is the id of the
    /// page's last job; the next page starts below it, so jobs started or expired between pages
    /// neither repeat nor skip one.
    func jobsPage(before: ImportJobID?, limit: Int, count: Bool, caller: Caller, organization: OrganizationID) -> JSONValue {
        let visible = jobs.values.filter { isVisible($0, to: caller, organization: organization) && $0.id < (before ?? .max) }
            .sorted { $0.id > $1.id }
        let page = visible.prefix(limit)
        var members: [(String, JSONValue)] = [
            ("jobs", .array(page.map { statusJSON($0) })),
            ("count", .integer(Int64(page.count))),
            ("next_cursor", visible.count > limit ? page.last.map { .string(String($0.id)) } ?? .null : .null),
        ]
        if count {
            let total = jobs.values.lazy.filter { self.isVisible($0, to: caller, organization: organization) }.count
            members.append(("total", .integer(Int64(total))))
        }
        return .object(members)
    }

    /// The job as JSON, with live progress while it runs.
    func statusJSON(_ job: ImportJob) -> JSONValue {
        var job = job
        if let counter = progress[job.id], !job.state.isFinished { job.processedRows = counter.current }
        guard case .object(var members) = job.json else { return job.json }
        members.removeAll { $0.0 == "marker" }
        return .object(members)
    }
}

extension ImportRunner {
    /// With `DUP.SETTINGS auto_merge` on, merges each contact the import created into the
    /// existing contact it most likely duplicates, when their score reaches
    /// `auto_merge_threshold` by a rule other than the name alone: one merge (journal record and `MERGE.LOG` entry, rule `auto:
    /// import <job>: …`) per contact, for the first 10,000 created. Returns how many merged.
    nonisolated func autoMerge(_ plan: ImportPlan, job: ImportJobID, caller: Caller, shard: OrganizationShard) async -> Int {
        let created: [ContactID] = plan.rows.compactMap { row in
            if case .create(let id) = row.outcome { id } else { nil }
        }
        guard !created.isEmpty else { return 0 }
        let state = await shard.view()
        let settings = state.duplicateSettings
        guard settings.autoMerge else { return 0 }
        var merges: [(existing: ContactID, new: ContactID, match: DuplicateMatch)] = []
        let createdSet = Set(created)
        for id in created.prefix(OrganizationState.importDuplicateChecks) {
            guard let contact = state.contacts[id] else { continue }
            let profile = state.duplicateProfile(of: contact, settings: settings)
            // The best existing contact (not another of this import) above the threshold.
            guard let best = state.duplicateCandidates(of: profile, excluding: id, for: caller, limit: 5)
                .first(where: { !createdSet.contains($0.id) && $0.corroboratedScore >= settings.autoMergeThreshold }) else { continue }
            merges.append((best.id, id, best))
        }
        var done = 0
        for (existing, new, match) in merges {
            let rule = "auto: import \(job): " + match.evidence.map(\.rule.rawValue).joined(separator: ", ")
            let context = PlanningContext(now: Clock.now(), phones: phones)
            let merged: Bool? = try? await shard.write { current throws(CallsheetError) in
                let plan = try current.planMerge(primary: existing, others: [new], keep: [], rule: rule, score: match.corroboratedScore, by: caller, context: context)
                return (plan.changes, true)
            }
            if merged == true { done += 1 }
        }
        return done
    }
}
