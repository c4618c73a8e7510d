import CallsheetCore

/// Renders the store's `INFO` figures and the server's counters in Prometheus text format 0.0.4.
enum PrometheusText {
    static func render(info: JSONValue, server: ServerMetrics) -> String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int64)]) {
            text += "# HELP callsheet_\(name) \(help)\n# TYPE callsheet_\(name) \(type)\n"
            for sample in samples {
                text += "callsheet_\(name)\(sample.labels.isEmpty ? "" : "{\(sample.labels)}") \(sample.value)\n"
            }
        }
        func integer(_ value: JSONValue?) -> Int64 {
            if case .integer(let number)? = value { return number }
            if case .bool(let flag)? = value { return flag ? 1 : 0 }
            return 0
        }
        metric("uptime_seconds", "gauge", "Seconds since the store opened.", [("", integer(info["uptime_seconds"]))])
        metric("connections", "gauge", "Open client connections.", [("", Int64(server.connections.load(ordering: .relaxed)))])
        metric("connections_accepted_total", "counter", "Connections accepted.", [("", Int64(server.connectionsAccepted.load(ordering: .relaxed)))])
        metric("connections_rejected_total", "counter", "Connections refused at max clients.", [("", Int64(server.connectionsRejected.load(ordering: .relaxed)))])
        metric("connections_closed_by_server_total", "counter", "Connections the server closed (limit, protocol error, failed AUTH).",
               [("", Int64(server.connectionsClosedByServer.load(ordering: .relaxed)))])
        metric("pending_requests", "gauge", "Requests read from clients and not answered yet.", [("", Int64(server.pendingRequests))])
        metric("auth_failures_total", "counter", "Failed AUTH attempts.", [("", Int64(server.authenticationFailures.load(ordering: .relaxed)))])
        metric("protocol_errors_total", "counter", "Requests that could not be framed or broke a limit.", [("", Int64(server.protocolErrors.load(ordering: .relaxed)))])
        metric("commands_total", "counter", "Commands executed (rate() gives commands per second).", [("", integer(info["commands"]))])
        metric("writes_total", "counter", "Commands that changed data.", [("", integer(info["writes"]))])
        var errors: [(labels: String, value: Int64)] = []
        if case .object(let members)? = info["errors"] {
            errors = members.map { (labels: "code=\"\(escape($0.0))\"", value: integer($0.1)) }
        }
        metric("errors_total", "counter", "Error replies by code.", errors)
        metric("organizations", "gauge", "Organizations in the data directory.", [("", integer(info["organizations"]))])
        if case .array(let organizations)? = info["contacts_by_organization"] {
            metric("contacts", "gauge", "Contacts per organization.", organizations.map {
                (labels: "organization_id=\"\(integer($0["id"]))\"", value: integer($0["contacts"]))
            })
            for (name, key, help) in [
                ("duplicate_groups", "found", "Likely duplicate groups the organization's last DUP.SCAN found."),
                ("merges", "merged", "Merges kept in the merge log (not undone)."),
                ("unmerges", "unmerged", "Merges undone: each a false positive of duplicate detection."),
            ] {
                metric(name, "gauge", help, organizations.map {
                    (labels: "organization_id=\"\(integer($0["id"]))\"", value: integer($0["duplicates"]?[key]))
                })
            }
            for (name, help, value) in [
                ("calls_stored", "Calls in the organization's call log.", { (o: JSONValue) in integer(o["calls_stored"]) }),
                ("dnc_numbers", "Numbers on the organization's do-not-call list.", { (o: JSONValue) in integer(o["dnc"]?["numbers"]) }),
                ("campaigns_active", "Active campaigns.", { (o: JSONValue) in integer(o["campaigns_active"]) }),
                ("retention_archived_last_run", "Contacts the last retention sweep archived.", { (o: JSONValue) in integer(o["retention"]?["archived"]) }),
                ("retention_purged_last_run", "Contacts the last retention sweep removed.", { (o: JSONValue) in integer(o["retention"]?["purged"]) }),
                ("erasures_pending", "Erasures whose disk clean-up has not finished.", { (o: JSONValue) in integer(o["erasures"]?["pending"]) }),
                ("erasures_done", "Erasures finished, disk clean.", { (o: JSONValue) in integer(o["erasures"]?["done"]) }),
                ("snapshot_share_bytes", "The organization's share of the last snapshot file.", { (o: JSONValue) in integer(o["snapshot_bytes"]) }),
            ] as [(String, String, (JSONValue) -> Int64)] {
                metric(name, "gauge", help, organizations.map { (labels: "organization_id=\"\(integer($0["id"]))\"", value: value($0)) })
            }
        }
        if let journal = info["journal"] {
            metric("journal_healthy", "gauge", "1 while the journal accepts writes.", [("", integer(journal["healthy"]))])
            metric("journal_bytes_written_total", "counter", "Bytes appended to the journal since start.", [("", integer(journal["bytes_written"]))])
            metric("journal_records_since_snapshot", "gauge", "Journal records not yet in a snapshot.", [("", integer(journal["records_since_snapshot"]))])
        }
        if let snapshot = info["snapshot"] {
            if case .integer(let age)? = snapshot["age_seconds"] {
                metric("snapshot_age_seconds", "gauge", "Seconds since the last snapshot.", [("", age)])
            }
            metric("snapshot_bytes", "gauge", "Size of the last snapshot.", [("", integer(snapshot["bytes"]))])
        }
        if let exports = info["exports"] {
            metric("exports_started_total", "counter", "Exports started (EXPORT.START).", [("", integer(exports["started"]))])
            metric("exports_finished_total", "counter", "Exports whose file was written whole.", [("", integer(exports["finished"]))])
            metric("exports_running", "gauge", "Exports being written now.", [("", integer(exports["running"]))])
            metric("export_rows_total", "counter", "Contacts written by finished exports.", [("", integer(exports["rows"]))])
        }
        metric("resident_memory_bytes", "gauge", "Resident memory of the process.", [("", integer(info["resident_bytes"]))])
        return text
    }

    private static func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
