import CallsheetCore
import Foundation

/// `INFO` in Redis's format: `# Section` headers, `key:value` lines ending in CRLF, a blank line
/// between sections, values of several fields as `a=1,b=2` (what redis-py's `info()` and
/// redis_exporter parse). Built from the same figures as `INFO JSON` (``ShardDirectory/info(for:shard:)``),
/// so both say the same, scoped the same way: the owner reads the server, everyone else their
/// organization (docs/PROTOCOL.md, "INFO").
enum InfoText {
    static func render(_ json: JSONValue, sections: InfoSections, caller: Caller, organization: OrganizationID?, directory: ShardDirectory) -> String {
        var text = ""
        for name in sections.names {
            let lines = self.lines(name, json, caller: caller, organization: organization, directory: directory)
            guard let lines else { continue }
            if !text.isEmpty { text += "\r\n" }
            text += "# \(name.prefix(1).uppercased() + name.dropFirst())\r\n"
            for (key, value) in lines { text += "\(key):\(clean(value))\r\n" }
        }
        return text
    }

    /// A section's lines, or nil when `caller` may not read it.
    private static func lines(_ name: String, _ json: JSONValue, caller: Caller, organization: OrganizationID?, directory: ShardDirectory) -> [(String, String)]? {
        // Command figures are an admin's: the owner's over the server, an organization admin's over
        // their organization.
        let statisticsScope: OrganizationID?? = caller.isOwner ? .some(nil) : caller.role == .admin ? .some(organization ?? 0) : .none
        switch name {
        case "server":
            var lines = [("callsheet_version", string(json["version"])), ("redis_mode", "standalone"), ("arch_bits", "64"),
                         ("uptime_in_seconds", number(json["uptime_seconds"])),
                         ("uptime_in_days", String(integer(json["uptime_seconds"]) / 86_400))]
            if caller.isOwner {
                lines.insert(("process_id", String(getpid())), at: 2)
                lines.append(("data_directory", directory.configuration.directory))
            }
            return lines
        case "clients":
            return [("connected_clients", number(json["connections"]))]
        case "memory":
            guard caller.isOwner else { return nil }
            let resident = integer(json["resident_bytes"])
            let organizations = array(json["contacts_by_organization"])
            return [
                ("used_memory_rss", String(resident)), ("used_memory_rss_human", human(resident)),
                ("contact_table_bytes", String(organizations.reduce(0) { $0 + integer($1["contact_table_bytes"]) })),
                ("text_index_bytes", String(organizations.reduce(0) { $0 + integer($1["text_index_bytes"]) })),
                ("call_log_bytes", String(organizations.reduce(0) { $0 + integer($1["call_log_bytes"]) })),
                ("cold_catalogue_bytes", String(organizations.reduce(0) { $0 + integer($1["cold_calls"]?["catalogue_bytes"]) })),
            ]
        case "persistence":
            guard let journal = json["journal"] else { return [("loading", "0"), ("journal_enabled", "0")] }
            var lines = [
                ("loading", "0"), ("journal_enabled", "1"), ("journal_healthy", flag(journal["healthy"])), ("read_only", flag(journal["read_only"])),
                ("journal_fsync", string(journal["fsync"])),
            ]
            if case .string(let reason)? = journal["reason"] { lines.append(("read_only_reason", reason)) }
            let age = json["snapshot"]?["age_seconds"]
            lines.append(("last_snapshot_age_seconds", age.flatMap { if case .integer(let value) = $0 { String(value) } else { nil } } ?? "-1"))
            if caller.isOwner {
                let now = Int64(Date().timeIntervalSince1970)
                lines += [
                    ("journal_next_sequence", number(journal["next_sequence"])), ("journal_bytes_written", number(journal["bytes_written"])),
                    ("journal_fsyncs", number(journal["fsyncs"])),
                    ("rdb_changes_since_last_save", number(journal["records_since_snapshot"])),
                    ("rdb_last_save_time", age.flatMap { if case .integer(let value) = $0 { String(now - value) } else { nil } } ?? "0"),
                    ("last_snapshot_sequence", number(json["snapshot"]?["last_sequence"])),
                    ("last_snapshot_bytes", number(json["snapshot"]?["bytes"])),
                    ("data_directory_bytes", number(json["data_directory_bytes"])),
                ]
            }
            return lines
        case "stats":
            guard caller.isOwner else {
                guard case .some(.some(let organization)) = statisticsScope else { return nil }
                let counts = directory.statistics.counts(organization: organization).values
                return [
                    ("total_commands_processed", String(counts.reduce(0) { $0 + $1.calls })),
                    ("total_error_replies", String(directory.statistics.errors(organization: organization).values.reduce(0, +))),
                ]
            }
            let errors: Int64 = {
                guard case .object(let members)? = json["errors"] else { return 0 }
                return members.reduce(0) { $0 + integer($1.1) }
            }()
            return [
                ("total_commands_processed", number(json["commands"])), ("instantaneous_ops_per_sec", number(json["commands_per_second"])),
                ("total_writes", number(json["writes"])), ("total_error_replies", String(errors)),
                ("exports_started", number(json["exports"]?["started"])), ("exports_finished", number(json["exports"]?["finished"])),
                ("exports_running", number(json["exports"]?["running"])), ("export_rows", number(json["exports"]?["rows"])),
            ] + {
                guard case .object(let states)? = json["imports"] else { return [] }
                return states.map { ("import_jobs_\($0.0)", number($0.1)) }
            }()
        case "contacts":
            let organizations = caller.isOwner ? array(json["contacts_by_organization"]) : json["organization"].map { [$0] } ?? []
            var lines: [(String, String)] = []
            if caller.isOwner {
                lines.append(("organizations", number(json["organizations"])))
                lines.append(("contacts_total", String(organizations.reduce(0) { $0 + integer($1["contacts"]) })))
            }
            for organization in organizations {
                var fields = [("contacts", integer(organization["contacts"]))]
                if let duplicates = organization["duplicates"] {
                    fields += [("duplicate_groups", integer(duplicates["found"])), ("merged", integer(duplicates["merged"])), ("unmerged", integer(duplicates["unmerged"]))]
                }
                if organization["calls_stored"] != nil {
                    fields += [
                        ("calls", integer(organization["calls_stored"])), ("dnc_numbers", integer(organization["dnc"]?["numbers"])),
                        ("campaigns_active", integer(organization["campaigns_active"])),
                        ("erasures_pending", integer(organization["erasures"]?["pending"])),
                        ("cold_calls", integer(organization["cold_calls"]?["calls"])), ("cold_bytes", integer(organization["cold_calls"]?["disk_bytes"])),
                    ]
                }
                lines.append(("org\(integer(organization["id"]))", fields.map { "\($0.0)=\($0.1)" }.joined(separator: ",")))
            }
            return lines
        case "commandstats":
            guard case .some(let scope) = statisticsScope else { return nil }
            return directory.statistics.counts(organization: scope).sorted { $0.key < $1.key }.map { command, counts in
                let perCall = counts.calls == 0 ? 0 : Double(counts.microseconds) / Double(counts.calls)
                return ("cmdstat_\(command.lowercased())",
                        "calls=\(counts.calls),usec=\(counts.microseconds),usec_per_call=\(fixed(perCall, 2)),rejected_calls=\(counts.rejected),failed_calls=\(counts.failed)")
            }
        case "errorstats":
            guard case .some(let scope) = statisticsScope else { return nil }
            return directory.statistics.errors(organization: scope).sorted { $0.key < $1.key }.map { ("errorstat_\($0.key)", "count=\($0.value)") }
        case "latencystats":
            guard case .some(let scope) = statisticsScope else { return nil }
            let commands = directory.statistics.counts(organization: scope).filter { $0.value.calls > 0 }.keys
            return directory.statistics.percentiles(of: commands).sorted { $0.key < $1.key }.map { command, percentiles in
                ("latency_percentiles_usec_\(command.lowercased())",
                 "p50=\(fixed(percentiles.p50, 3)),p99=\(fixed(percentiles.p99, 3)),p99.9=\(fixed(percentiles.p999, 3))")
            }
        default:
            return nil
        }
    }

    private static func integer(_ value: JSONValue?) -> Int64 {
        switch value {
        case .integer(let number)?: number
        case .bool(let flag)?: flag ? 1 : 0
        default: 0
        }
    }

    private static func number(_ value: JSONValue?) -> String { String(integer(value)) }
    private static func flag(_ value: JSONValue?) -> String { integer(value) == 0 ? "0" : "1" }

    private static func string(_ value: JSONValue?) -> String {
        if case .string(let text)? = value { return text }
        return ""
    }

    private static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    /// A value on one line: no line breaks (a reason may quote an error).
    private static func clean(_ value: String) -> String {
        value.contains(where: { $0 == "\r" || $0 == "\n" }) ? value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") : value
    }

    /// `value` with `digits` digits after the point, as Redis prints `%.2f`.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * Double(scale)).rounded())
        let fraction = String(scaled % scale)
        return "\(scaled / scale).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }

    /// Bytes as Redis's `_human` fields print them (`1.21G`).
    private static func human(_ bytes: Int64) -> String {
        let units: [(Double, String)] = [(1_073_741_824, "G"), (1_048_576, "M"), (1024, "K")]
        for (size, unit) in units where Double(bytes) >= size { return "\(fixed(Double(bytes) / size, 2))\(unit)" }
        return "\(bytes)B"
    }
}
