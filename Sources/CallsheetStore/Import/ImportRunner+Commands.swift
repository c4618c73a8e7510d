import CallsheetCore
import CallsheetProtocol

/// The import commands, as ``CommandExecutor`` hands them over (docs/PROTOCOL.md, "Import").
extension ImportRunner {
    /// Runs one import command for `caller` in `shard`'s organization.
    /// - Parameter isLocalOwner: true for the local REPL, the only session that may name a file path.
    public func run(_ command: ImportCommand, caller: Caller, shard: OrganizationShard, isLocalOwner: Bool) async throws(CallsheetError) -> RESPValue {
        await recoverIfNeeded()
        let organizationID = shard.id
        switch command {
        case .preview(let source, let rows, let encoding):
            try caller.require(.manager, for: "IMPORT.PREVIEW")
            let snapshot = try await shard.read { state in state }
            let bytes = try await load(source, caller: caller, organization: snapshot.organization, isLocalOwner: isLocalOwner)
            let document = try CSVReader.read(bytes, encoding: encoding)
            let fields = snapshot.orderedFields.filter { $0.isVisible(to: caller.role) || caller.role == .admin }
            let mapping = ColumnMapping.suggest(header: document.header, fields: fields)
            return .bulk(ImportReport.preview(document, mapping: mapping, rows: rows, maxRows: snapshot.organization.settings.maxImportRows).serialized)

        case .validate(let source, let options, let show):
            try caller.require(.manager, for: "IMPORT.VALIDATE")
            let organization = try await shard.read { state in state.organization }
            let bytes = try await load(source, caller: caller, organization: organization, isLocalOwner: isLocalOwner)
            let prepared = try await prepare(bytes, options: options, settings: organization.settings.importing, caller: caller, shard: shard)
            guard let checked = await OrganizationState.checkRows(prepared.document.records, layout: prepared.layout, phones: phones) else {
                throw CallsheetError(.conflict, "validation was cancelled")
            }
            let context = PlanningContext(now: Clock.now(), phones: phones)
            var plan = try prepared.snapshot.planImport(checked, layout: prepared.layout, options: prepared.options, by: caller, context: context)
            plan.notes = prepared.document.warnings + plan.notes
            return .bulk(ImportReport.validation(plan, mapping: prepared.mapping, show: show).serialized)

        case .commit(let source, let options):
            try caller.require(.manager, for: "IMPORT.COMMIT")
            let job = newJob(source, caller: caller, organization: organizationID)
            let (finished, plan) = await runJob(job.id, source: source, options: options, caller: caller, shard: shard, isLocalOwner: isLocalOwner)
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

        case .start(let source, let options):
            try caller.require(.manager, for: "IMPORT.START")
            let job = newJob(source, caller: caller, organization: organizationID)
            let id = job.id
            tasks[id] = Task {
                _ = await self.runJob(id, source: source, options: options, caller: caller, shard: shard, isLocalOwner: isLocalOwner)
            }
            return .bulk(JSONValue.object([("job_id", .integer(Int64(id))), ("state", .string(job.state.rawValue))]).serialized)

        case .status(let id):
            return .bulk(statusJSON(try visibleJob(id, caller: caller, organization: organizationID)).serialized)

        case .errors(let id):
            let job = try visibleJob(id, caller: caller, organization: organizationID)
            guard job.state.isFinished else {
                throw CallsheetError(.conflict, "job \(id) is still \(job.state.rawValue); its report is written when it ends (IMPORT.STATUS \(id))")
            }
            return .bulk(errorReports[id] ?? files.loadErrors(job: id) ?? ImportReport.errorsCSV([]))

        case .cancel(let id):
            let job = try visibleJob(id, caller: caller, organization: organizationID)
            switch job.state {
            case .committing:
                throw CallsheetError(.conflict, "job \(id) is storing its rows; an import is stored whole or not at all, so it can no longer be cancelled")
            case _ where job.state.isFinished:
                throw CallsheetError(.conflict, "job \(id) already ended: \(job.state.rawValue)")
            default:
                tasks[id]?.cancel()
                _ = finish(id, state: .cancelled, message: "cancelled by \(caller.name); nothing was stored", issues: [])
                return .ok
            }

        case .jobs(let before, let limit, let count):
            try caller.require(.manager, for: "IMPORT.JOBS")
            return .bulk(jobsPage(before: before, limit: limit, count: count, caller: caller, organization: organizationID).serialized)

        case .settings(let key, let value):
            try caller.require(.manager, for: "IMPORT.SETTINGS")
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

        case .bulk(let array):
            let context = PlanningContext(now: Clock.now(), phones: phones)
            return try await shard.write { state throws(CallsheetError) in
                let plan = try state.planBulk(array, by: caller, context: context)
                return (plan.changes, RESPValue.bulk(plan.json.serialized))
            }
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
