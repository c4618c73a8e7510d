import CallsheetCore
import CallsheetProtocol

/// The import commands, one method each, as their declarations (``CommandCatalog``) call them
/// (docs/PROTOCOL.md, "Import"). Each runs for the caller in the organization of `organization`;
/// only the local REPL's owner may name a file path.
extension ImportRunner {
    /// `IMPORT.PREVIEW`: headers, the first `rows` rows, the row count and the suggested mapping.
    func preview(_ source: ImportSource, rows: Int, encoding: CSVEncoding, in organization: OrganizationContext) async throws(CallsheetError) -> RESPValue {
        let caller = organization.caller
        let snapshot = await organization.shard.view()
        let bytes = try await load(source, caller: caller, organization: snapshot.organization, isLocalOwner: organization.isLocalOwner)
        let document = try CSVReader.read(bytes, encoding: encoding)
        let fields = snapshot.orderedFields.filter { $0.isVisible(to: caller.role) || caller.role == .admin }
        let mapping = ColumnMapping.suggest(header: document.header, fields: fields)
        return .bulk(ImportReport.preview(document, mapping: mapping, rows: rows, maxRows: snapshot.organization.settings.maxImportRows).serialized)
    }

    /// `IMPORT.VALIDATE`: a dry run, one outcome per row (`show` caps the rows listed); nothing stored.
    func validate(_ source: ImportSource, _ options: ImportOptions, show: Int?, in organization: OrganizationContext) async throws(CallsheetError) -> RESPValue {
        let caller = organization.caller, shard = organization.shard
        let current = try await shard.read { state in state.organization }
        let bytes = try await load(source, caller: caller, organization: current, isLocalOwner: organization.isLocalOwner)
        let prepared = try await prepare(bytes, options: options, settings: current.settings.importing, caller: caller, shard: shard)
        guard let checked = await OrganizationState.checkRows(prepared.document.records, layout: prepared.layout, phones: phones) else {
            throw CallsheetError(.conflict, "validation was cancelled")
        }
        let context = PlanningContext(now: Clock.now(), phones: phones)
        var plan = try prepared.snapshot.planImport(checked, layout: prepared.layout, options: prepared.options, by: caller, context: context, checkDuplicates: true)
        plan.notes = prepared.document.warnings + plan.notes
        return .bulk(ImportReport.validation(plan, mapping: prepared.mapping, show: show).serialized)
    }

    /// `IMPORT.COMMIT`: imports now and replies with the summary once stored.
    func commit(_ source: ImportSource, _ options: ImportOptions, in organization: OrganizationContext) async throws(CallsheetError) -> RESPValue {
        let job = newJob(source, caller: organization.caller, organization: organization.shard.id)
        let (finished, plan) = await runJob(job.id, source: source, options: options, caller: organization.caller, shard: organization.shard, isLocalOwner: organization.isLocalOwner)
        switch finished.state {
        case .completed, .needsReview:
            var members: [(String, JSONValue)] = [("job_id", .integer(Int64(finished.id))), ("state", .string(finished.state.rawValue))]
            if let plan { members += plan.summaryJSON }
            if finished.state == .needsReview, let plan {
                members.append(("duplicates", .array(plan.rows.filter { if case .duplicate = $0.outcome { true } else { false } }.map(\.json))))
            }
            members.append(("message", .string(finished.message)))
            return .bulk(JSONValue.object(members).serialized)
        case .rejected:
            throw CallsheetError(.importRejected, "\(finished.message) (IMPORT.ERRORS \(finished.id) lists every problem)")
        default:
            let (code, message) = Self.splitMessage(finished.message)
            throw CallsheetError(code, "\(message) (job \(finished.id))")
        }
    }

    /// `IMPORT.START`: imports in the background; replies with the job id at once.
    func start(_ source: ImportSource, _ options: ImportOptions, in organization: OrganizationContext) -> RESPValue {
        let caller = organization.caller, shard = organization.shard, isLocalOwner = organization.isLocalOwner
        let job = newJob(source, caller: caller, organization: shard.id)
        let id = job.id
        tasks[id] = Task {
            _ = await self.runJob(id, source: source, options: options, caller: caller, shard: shard, isLocalOwner: isLocalOwner)
        }
        return .bulk(JSONValue.object([("job_id", .integer(Int64(id))), ("state", .string(job.state.rawValue))]).serialized)
    }

    /// `IMPORT.STATUS`: a job's state, progress and counts.
    func status(_ id: ImportJobID, in organization: OrganizationContext) throws(CallsheetError) -> RESPValue {
        .bulk(statusJSON(try visibleJob(id, caller: organization.caller, organization: organization.shard.id)).serialized)
    }

    /// `IMPORT.ERRORS`: a finished job's per-row problems as CSV: `row,column,code,reason`.
    func errors(_ id: ImportJobID, in organization: OrganizationContext) throws(CallsheetError) -> RESPValue {
        let job = try visibleJob(id, caller: organization.caller, organization: organization.shard.id)
        guard job.state.isFinished else {
            throw CallsheetError(.conflict, "job \(id) is still \(job.state.rawValue); its report is written when it ends (IMPORT.STATUS \(id))")
        }
        return .bulk(errorReports[id] ?? files.loadErrors(job: id) ?? ImportReport.errorsCSV([]))
    }

    /// `IMPORT.CANCEL`: stops a job that has not started storing.
    func cancel(_ id: ImportJobID, in organization: OrganizationContext) throws(CallsheetError) -> RESPValue {
        let job = try visibleJob(id, caller: organization.caller, organization: organization.shard.id)
        switch job.state {
        case .committing:
            throw CallsheetError(.conflict, "job \(id) is storing its rows; an import is stored whole or not at all, so it can no longer be cancelled")
        case _ where job.state.isFinished:
            throw CallsheetError(.conflict, "job \(id) already ended: \(job.state.rawValue)")
        default:
            tasks[id]?.cancel()
            _ = finish(id, state: .cancelled, message: "cancelled by \(organization.caller.name); nothing was stored", issues: [])
            return .ok
        }
    }

    /// `IMPORT.JOBS`: a page of the caller's jobs, newest first: those with ids below `before`
    /// (nil: from the newest), at most `limit`; `count` adds the total.
    func jobs(before: ImportJobID?, limit: Int, count: Bool, in organization: OrganizationContext) -> RESPValue {
        .bulk(jobsPage(before: before, limit: limit, count: count, caller: organization.caller, organization: organization.shard.id).serialized)
    }

    /// `IMPORT.SETTINGS`: shows the organization's import defaults, after changing one (admins)
    /// when `key` and `value` are given.
    func settings(key: String?, value: String?, in organization: OrganizationContext) async throws(CallsheetError) -> RESPValue {
        let caller = organization.caller, shard = organization.shard
        if let key, let value {
            try caller.require(.admin, for: "IMPORT.SETTINGS <key> <value>")
            // Journaled with the organization, like every other setting (ORG.SET takes the same keys).
            let phones = self.phones
            _ = try await shard.write { state throws(CallsheetError) in
                (changes: [Change.putOrganization(try state.planSetting(key, value, by: caller, phones: phones))], result: 0)
            }
        }
        let limits = try await shard.read { state in state.organization.settings }
        let current = limits.importing
        guard case .object(var members) = current.json else { return .bulk(current.json.serialized) }
        members.append(("max_import_rows", .integer(Int64(limits.maxImportRows))))
        members.append(("max_import_bytes", .integer(Int64(limits.maxImportBytes))))
        members.append(("phone_validation", .string(limits.phoneValidation.rawValue)))
        return .bulk(JSONValue.object(members).serialized)
    }

    /// `CONTACT.BULK <json array>`: creates many contacts in one change set, each checked as `CONTACT.ADD`.
    func bulk(_ array: JSONValue, in organization: OrganizationContext) async throws(CallsheetError) -> RESPValue {
        let caller = organization.caller
        let context = PlanningContext(now: Clock.now(), phones: phones)
        return try await organization.shard.write { state throws(CallsheetError) in
            let plan = try state.planBulk(array, by: caller, context: context)
            return (plan.changes, RESPValue.bulk(plan.json.serialized))
        }
    }

    /// `CODE message` back into its parts (a failed job keeps its error that way).
    static func splitMessage(_ text: String) -> (CallsheetError.Code, String) {
        guard let space = text.firstIndex(of: " ") else { return (.internal, text) }
        let code = text[..<space]
        guard !code.isEmpty, code.allSatisfy({ $0.isUppercase || $0 == "_" }) else { return (.internal, text) }
        return (CallsheetError.Code(rawValue: String(code)), String(text[text.index(after: space)...]))
    }
}
