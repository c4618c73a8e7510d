/// Every metric the endpoint exports, with its type and help text: the one list the factory,
/// the scrape and docs/PROTOCOL.md ("Metrics") agree on. A test reads the endpoint and checks
/// each name against it and against the docs.
public enum MetricCatalog {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public struct Metric: Sendable {
        public let name: String
        public let kind: Kind
        public let help: String
    }

    public static let metrics: [Metric] = [
        // Recorded as they happen, through swift-metrics.
        Metric(name: "callsheet_commands_total", kind: .counter, help: "Commands run, by command and outcome (ok, rejected before running, failed)."),
        Metric(name: "callsheet_command_duration_seconds", kind: .histogram, help: "Time to answer a command, by command."),
        Metric(name: "callsheet_journal_records_total", kind: .counter, help: "Journal records written."),
        Metric(name: "callsheet_journal_bytes_total", kind: .counter, help: "Bytes written to the journal."),
        Metric(name: "callsheet_journal_batch_records", kind: .histogram, help: "Records per journal write (group commit batch size)."),
        Metric(name: "callsheet_journal_fsync_duration_seconds", kind: .histogram, help: "Time of each journal fsync."),
        Metric(name: "callsheet_snapshot_duration_seconds", kind: .histogram, help: "Time to take a snapshot, from the journal cut to the file's rename."),
        // Read from the store and the server at each scrape.
        Metric(name: "callsheet_uptime_seconds", kind: .gauge, help: "Seconds since the store opened."),
        Metric(name: "callsheet_connections", kind: .gauge, help: "Open client connections."),
        Metric(name: "callsheet_connections_accepted_total", kind: .counter, help: "Connections accepted."),
        Metric(name: "callsheet_connections_rejected_total", kind: .counter, help: "Connections refused at --max-clients."),
        Metric(name: "callsheet_connections_closed_by_server_total", kind: .counter, help: "Connections the server closed (a limit, a protocol error, failed AUTH)."),
        Metric(name: "callsheet_pending_requests", kind: .gauge, help: "Requests read from clients and not answered yet."),
        Metric(name: "callsheet_auth_failures_total", kind: .counter, help: "Failed AUTH attempts."),
        Metric(name: "callsheet_protocol_errors_total", kind: .counter, help: "Requests that could not be framed or broke a limit."),
        Metric(name: "callsheet_writes_total", kind: .counter, help: "Commands that changed data."),
        Metric(name: "callsheet_errors_total", kind: .counter, help: "Error replies by code (the API error rate with callsheet_commands_total)."),
        Metric(name: "callsheet_organizations", kind: .gauge, help: "Organizations in the data directory."),
        Metric(name: "callsheet_contacts", kind: .gauge, help: "Contacts per organization (sum() is the total); organizations past --metrics-max-organizations are summed as organization_id=\"other\"."),
        Metric(name: "callsheet_calls_stored", kind: .gauge, help: "Calls in each organization's call log."),
        Metric(name: "callsheet_cold_calls", kind: .gauge, help: "Calls of each organization's call log that live in cold segments on disk (cold_call_days)."),
        Metric(name: "callsheet_cold_bytes", kind: .gauge, help: "Bytes of each organization's cold call segment files."),
        Metric(name: "callsheet_dnc_numbers", kind: .gauge, help: "Numbers on each organization's do-not-call list."),
        Metric(name: "callsheet_campaigns_active", kind: .gauge, help: "Active campaigns per organization."),
        Metric(name: "callsheet_duplicate_groups", kind: .gauge, help: "Likely duplicate groups each organization's last DUP.SCAN found."),
        Metric(name: "callsheet_merges", kind: .gauge, help: "Merges kept (not undone) per organization."),
        Metric(name: "callsheet_unmerges", kind: .gauge, help: "Merges undone per organization: duplicate detection's false positives (accuracy = merges / (merges + unmerges))."),
        Metric(name: "callsheet_erasures_pending", kind: .gauge, help: "Erasures whose disk clean-up has not finished."),
        Metric(name: "callsheet_erasures_done", kind: .gauge, help: "Erasures finished, disk clean."),
        Metric(name: "callsheet_retention_archived_last_run", kind: .gauge, help: "Contacts the organization's last retention sweep archived."),
        Metric(name: "callsheet_retention_purged_last_run", kind: .gauge, help: "Contacts the organization's last retention sweep removed."),
        Metric(name: "callsheet_snapshot_share_bytes", kind: .gauge, help: "The organization's share of the last snapshot file."),
        Metric(name: "callsheet_journal_healthy", kind: .gauge, help: "1 while the journal accepts writes, 0 while the store is read-only."),
        Metric(name: "callsheet_journal_records_since_snapshot", kind: .gauge, help: "Journal records not yet in a snapshot."),
        Metric(name: "callsheet_snapshot_age_seconds", kind: .gauge, help: "Seconds since the last snapshot."),
        Metric(name: "callsheet_snapshot_bytes", kind: .gauge, help: "Size of the last snapshot file."),
        Metric(name: "callsheet_data_directory_bytes", kind: .gauge, help: "Bytes of every file in the data directory (storage usage)."),
        Metric(name: "callsheet_import_jobs", kind: .gauge, help: "Import jobs on record by state (success rate = completed / (completed + failed + rejected))."),
        Metric(name: "callsheet_exports_started_total", kind: .counter, help: "Exports started (EXPORT.START)."),
        Metric(name: "callsheet_exports_finished_total", kind: .counter, help: "Exports whose file was written whole."),
        Metric(name: "callsheet_exports_running", kind: .gauge, help: "Exports being written now."),
        Metric(name: "callsheet_export_rows_total", kind: .counter, help: "Contacts written by finished exports."),
        Metric(name: "callsheet_export_jobs", kind: .gauge, help: "Export jobs kept (the last hour's) by state: running, done, failed, cancelled."),
        Metric(name: "callsheet_resident_memory_bytes", kind: .gauge, help: "Resident memory of the process."),
    ]

    static let byName: [String: Metric] = Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0) })

    /// The help text of `name` (every metric the store records is in the list).
    static func help(_ name: String) -> String { byName[name]?.help ?? "Callsheet metric \(name)." }
}
