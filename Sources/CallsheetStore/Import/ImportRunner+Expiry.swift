import CallsheetCore

/// Expiry: a finished job and its error report (which quotes raw cell values, personal data)
/// are deleted once they are older than ``StoreConfiguration/importRetention``; running jobs
/// never expire. Passes run when the jobs are loaded (at the store's first tick or command) and
/// then about once a minute from the store's scheduler (``ShardDirectory/snapshotIfDue(now:)``).
extension ImportRunner {
    /// How often the scheduler's tick may run an expiry pass.
    static let expiryPassInterval: Timestamp = 60_000

    /// The retention in milliseconds; nil keeps jobs forever.
    var retentionMilliseconds: Timestamp? {
        guard let retention = directory.configuration.importRetention else { return nil }
        let (seconds, attoseconds) = retention.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Runs an expiry pass unless one ran less than a minute before `now`. Cheap otherwise.
    public func expireIfDue(now: Timestamp = Clock.now()) async {
        if let last = lastExpiryPass, now >= last, now - last < Self.expiryPassInterval { return }
        _ = await expireJobs(now: now)
    }

    /// Deletes the files of every finished job that ended a retention period before `now`, and
    /// forgets expired jobs one more retention period on. `now` is a parameter so tests can move
    /// the clock.
    /// - Returns: the ids of the jobs expired by this pass.
    @discardableResult
    public func expireJobs(now: Timestamp = Clock.now()) async -> [ImportJobID] {
        await recoverIfNeeded()
        return expire(now: now)
    }

    /// The pass itself, on the jobs already loaded. The expired jobs are recorded first and their
    /// files deleted after, so a crash between the two leaves files the next load deletes; if the
    /// record cannot be written (a full disk), nothing is deleted and the next pass tries again.
    @discardableResult
    func expire(now: Timestamp) -> [ImportJobID] {
        lastExpiryPass = now
        guard let retention = retentionMilliseconds else { return [] }
        let due = jobs.values.filter { job in
            job.state.isFinished && tasks[job.id] == nil && (job.finishedAt ?? job.startedAt) <= now - retention
        }.map(\.id).sorted()
        var entries = expired.entries
        for id in due {
            guard let job = jobs[id] else { continue }
            entries[id] = ExpiredImportJobs.Entry(organizationID: job.organizationID, userID: job.userID, expiredAt: now)
        }
        entries = entries.filter { $0.value.expiredAt > now - retention }
        guard entries != expired.entries else { return [] }
        // The next id goes with the record: once every job file is gone, it alone keeps ids unique.
        var updated = expired
        updated.nextJobID = max(expired.nextJobID, nextJobID)
        updated.entries = entries
        guard files.saveExpired(updated) else {
            directory.logger.warning("import jobs could not expire: imports/expired-jobs.json cannot be written; the next pass tries again",
                                     metadata: ["jobs": "\(due.count)"])
            return []
        }
        expired = updated
        for id in due {
            files.remove(job: id)
            jobs[id] = nil
            errorReports[id] = nil
        }
        if !due.isEmpty {
            directory.logger.info("import jobs expired", metadata: ["jobs": "\(due.count)", "retention": "\(retentionPhrase)"])
        }
        return due
    }

    /// The retention as a person reads it: `30 days`, or seconds or milliseconds when it is not
    /// whole days (tests).
    var retentionPhrase: String {
        guard let retention = retentionMilliseconds else { return "never" }
        func phrase(_ count: Int64, _ unit: String) -> String { count == 1 ? "1 \(unit)" : "\(count) \(unit)s" }
        if retention >= 86_400_000, retention % 86_400_000 == 0 { return phrase(retention / 86_400_000, "day") }
        if retention % 1000 == 0 { return phrase(retention / 1000, "second") }
        return phrase(retention, "millisecond")
    }

    /// The error for job `id` when `caller` cannot see it: "expired" to those who could see it
    /// before it did, and to everyone else exactly what an id that never existed gets.
    func missingJob(_ id: ImportJobID, caller: Caller, organization: OrganizationID) -> CallsheetError {
        if let entry = expired.entries[id], entry.organizationID == organization, caller.role == .admin || entry.userID == caller.userID {
            return CallsheetError(.notFound, "import job \(id) expired: a job and its error report are deleted \(retentionPhrase) after it ends (--import-retention-days); run the import again for a new report")
        }
        return CallsheetError(.notFound, "no import job \(id) (IMPORT.JOBS lists yours)")
    }
}
