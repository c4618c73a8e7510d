import CallsheetCore
import Foundation

/// The steps of an import: load the source, read the CSV, map, check rows (in parallel, off the
/// actors), then plan and commit on the shard as one change set.
extension ImportRunner {
    /// A file read and mapped, with the state it was checked against.
    struct Prepared: Sendable {
        var document: CSVDocument
        var mapping: ColumnMapping
        var layout: OrganizationState.ImportLayout
        var snapshot: OrganizationState
        var options: ResolvedImportOptions
    }

    /// The bytes of `source`, within the organization's size limit.
    /// - Parameter job: the import job that will store the rows (nil for a preview or a dry run):
    ///   only those count towards the limit of Google Sheets imports an hour.
    /// - Throws: `FORBIDDEN` for a path over TCP, `NOT_FOUND`, `LIMIT`, the sheet errors, `RATE_LIMITED`.
    func load(_ source: ImportSource, caller: Caller, organization: Organization, isLocalOwner: Bool, job: ImportJobID? = nil) async throws(CallsheetError) -> [UInt8] {
        let maxBytes = organization.settings.maxImportBytes
        let bytes: [UInt8]
        switch source {
        case .bytes(let data):
            bytes = data
        case .file(let path):
            guard isLocalOwner else {
                throw CallsheetError(.forbidden, "FILE paths are read only by the local REPL; over TCP send the file's bytes: IMPORT.COMMIT CSV <bytes> (redis-cli -x ... CSV < file.csv)")
            }
            bytes = try Self.readFile(path, maxBytes: maxBytes)
        case .sheet(let url):
            _ = try GoogleSheetURL(url)
            if let job { try admitSheetImport(job, caller: caller, organization: organization.id, now: Clock.now()) }
            try limiter.admit("\(organization.id)/\(caller.userID)", now: Clock.now())
            let fetcher = SheetFetcher(baseURL: configuration.sheetsBaseURL, timeout: configuration.sheetTimeout, client: try sheetHTTPClient())
            bytes = try await fetcher.fetch(url, maxBytes: maxBytes)
        }
        guard bytes.count <= maxBytes else {
            throw CallsheetError(.limit, "the file is \(bytes.count) bytes; this organization imports at most \(maxBytes) bytes at once (ORG.SET max_import_bytes)")
        }
        return bytes
    }

    /// The product's limit: at most `sheetsPerHour` Google Sheets imports an hour per user.
    /// Counted from the user's import jobs themselves (kept in the data directory, so a restart
    /// forgets nothing): those of the last hour that read a sheet and stored it or still run.
    /// Previews, dry runs, failed fetches and imports that stored nothing do not count.
    func admitSheetImport(_ job: ImportJobID, caller: Caller, organization: OrganizationID, now: Timestamp) throws(CallsheetError) {
        let window: Timestamp = 3_600_000
        let counted = jobs.values.filter { other in
            other.id != job && other.organizationID == organization && other.userID == caller.userID
                && other.source.hasPrefix("sheet ") && other.startedAt > now - window
                && (other.state == .completed || !other.state.isFinished)
        }
        guard counted.count >= configuration.sheetsPerHour, let oldest = counted.map(\.startedAt).min() else { return }
        let wait = (oldest + window - now + 59_999) / 60_000
        throw CallsheetError(.rateLimited, "at most \(configuration.sheetsPerHour) Google Sheets imports an hour per user; try again in \(wait) minute\(wait == 1 ? "" : "s"), or export the sheet as CSV and import the file")
    }

    private static func readFile(_ path: String, maxBytes: Int) throws(CallsheetError) -> [UInt8] {
        let lower = path.lowercased()
        if [".xlsx", ".xls", ".numbers", ".ods"].contains(where: { lower.hasSuffix($0) }) {
            throw CallsheetError(.badRequest, "\(path) is a spreadsheet, not CSV; save it as CSV UTF-8 (.csv) first")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int else {
            throw CallsheetError(.notFound, "cannot read \(path): no such file (paths are relative to \(FileManager.default.currentDirectoryPath))")
        }
        guard size <= maxBytes else {
            throw CallsheetError(.limit, "\(path) is \(size) bytes; this organization imports at most \(maxBytes) bytes at once (ORG.SET max_import_bytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw CallsheetError(.notFound, "cannot read \(path)") }
        return Array(data)
    }

    /// Reads and maps a file against the shard's current state. Runs off the actor.
    nonisolated func prepare(_ bytes: [UInt8], options: ImportOptions, settings: ImportSettings, caller: Caller, shard: OrganizationShard) async throws(CallsheetError) -> Prepared {
        try caller.require(.manager, for: "IMPORT")
        let maxRows = try await shard.read { state in state.organization.settings.maxImportRows }
        let document = try CSVReader.read(bytes, encoding: options.encoding, maxRows: maxRows)
        let snapshot = await shard.view()
        var mapping = ColumnMapping.suggest(header: document.header, fields: snapshot.orderedFields.filter { $0.isVisible(to: caller.role) || caller.role == .admin })
        if let overrides = options.mapping { mapping = try mapping.applying(overrides) }
        let layout = try snapshot.importLayout(mapping, for: caller)
        return Prepared(document: document, mapping: mapping, layout: layout, snapshot: snapshot, options: options.resolved(with: settings, now: Clock.now()))
    }

    /// Plans `checked` on the shard's live state and journals the plan's changes as one change set.
    /// `onPlanned` runs on the shard before the journal write (the job records its commit marker).
    /// The changes carry an undo entry (`IMPORT.REVERT <job>`).
    nonisolated func commit(_ checked: [CheckedRow], prepared: Prepared, caller: Caller, shard: OrganizationShard, job: UInt64,
                            onPlanned: @escaping @Sendable (ImportPlan) -> Void) async throws(CallsheetError) -> ImportPlan {
        let context = PlanningContext(now: Clock.now(), phones: phones)
        let snapshot = prepared.snapshot
        let layout = prepared.layout
        let options = prepared.options
        return try await shard.write { state throws(CallsheetError) in
            guard state.fields == snapshot.fields, state.organization.defaultRegion == snapshot.organization.defaultRegion,
                  state.organization.settings.phoneValidation == snapshot.organization.settings.phoneValidation else {
                throw CallsheetError(.conflict, "custom fields or phone settings changed while the file was being checked; nothing was imported, run it again")
            }
            // Duplicates are warned about by the validate step; a commit checks them only to refuse.
            let plan = try state.planImport(checked, layout: layout, options: options, by: caller, context: context,
                                            checkDuplicates: state.duplicateSettings.action == .block)
            onPlanned(plan)
            let recorded = state.recordingUndo(plan.changes, kind: .importCommit, summary: OrganizationState.importSummary(job: String(job)), by: caller, context: context)
            return (recorded.changes, plan)
        }
    }
}
