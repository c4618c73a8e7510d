import CallsheetCore
import CallsheetStore
import Prometheus
import Synchronization

/// What a scrape of `/metrics` adds to what swift-metrics recorded as it happened: the store's
/// and the server's figures read now (``ShardDirectory/info(for:shard:)`` as the owner sees it,
/// ``ServerMetrics``), set on the registry's gauges and counters, then the registry's text.
///
/// Label cardinality is bounded: the `--metrics-max-organizations` largest organizations (by
/// contacts) get their own `organization_id` label, the rest are summed as `organization_id="other"`;
/// an organization that leaves the list has its series removed.
final class MetricsScrape: Sendable {
    let factory: CallsheetMetricsFactory
    let directory: ShardDirectory
    let server: ServerMetrics
    let maxOrganizations: Int

    private struct State {
        /// The last value each counter was brought to (`name` + labels): counters go up by the
        /// difference (a counter the store reset starts again from its new value).
        var counters: [String: Int64] = [:]
        /// The label sets each per-organization gauge has now.
        var labelled: [String: Set<[String]>] = [:]
    }

    private let state = Mutex(State())

    init(factory: CallsheetMetricsFactory, directory: ShardDirectory, server: ServerMetrics, maxOrganizations: Int) {
        self.factory = factory
        self.directory = directory
        self.server = server
        self.maxOrganizations = max(1, maxOrganizations)
    }

    /// The metrics in Prometheus' text format 0.0.4.
    func render() async -> [UInt8] {
        let info = await directory.info(for: .owner, shard: nil)
        update(info)
        return factory.registry.emitToBuffer()
    }

    private func update(_ info: JSONValue) {
        gauge("callsheet_uptime_seconds", integer(info["uptime_seconds"]))
        gauge("callsheet_connections", Int64(server.connections.load(ordering: .relaxed)))
        gauge("callsheet_pending_requests", Int64(server.pendingRequests))
        counter("callsheet_connections_accepted_total", Int64(server.connectionsAccepted.load(ordering: .relaxed)))
        counter("callsheet_connections_rejected_total", Int64(server.connectionsRejected.load(ordering: .relaxed)))
        counter("callsheet_connections_closed_by_server_total", Int64(server.connectionsClosedByServer.load(ordering: .relaxed)))
        counter("callsheet_auth_failures_total", Int64(server.authenticationFailures.load(ordering: .relaxed)))
        counter("callsheet_protocol_errors_total", Int64(server.protocolErrors.load(ordering: .relaxed)))
        counter("callsheet_writes_total", integer(info["writes"]))
        if case .object(let codes)? = info["errors"] {
            for (code, count) in codes { counter("callsheet_errors_total", integer(count), labels: [("code", code)]) }
        }
        gauge("callsheet_organizations", integer(info["organizations"]))
        organizations(info)
        if let journal = info["journal"] {
            gauge("callsheet_journal_healthy", integer(journal["healthy"]))
            gauge("callsheet_journal_records_since_snapshot", integer(journal["records_since_snapshot"]))
        }
        if let snapshot = info["snapshot"] {
            if case .integer(let age)? = snapshot["age_seconds"] { gauge("callsheet_snapshot_age_seconds", age) }
            gauge("callsheet_snapshot_bytes", integer(snapshot["bytes"]))
        }
        gauge("callsheet_data_directory_bytes", integer(info["data_directory_bytes"]))
        if case .object(let states)? = info["imports"] {
            labelledGauge("callsheet_import_jobs", states.map { ([$0.0], integer($0.1)) }, label: "state")
        }
        if let exports = info["exports"] {
            counter("callsheet_exports_started_total", integer(exports["started"]))
            counter("callsheet_exports_finished_total", integer(exports["finished"]))
            gauge("callsheet_exports_running", integer(exports["running"]))
            counter("callsheet_export_rows_total", integer(exports["rows"]))
            if case .object(let states)? = exports["jobs"] {
                labelledGauge("callsheet_export_jobs", states.map { ([$0.0], integer($0.1)) }, label: "state")
            }
        }
        gauge("callsheet_resident_memory_bytes", integer(info["resident_bytes"]))
    }

    /// The per-organization gauges, the largest organizations by name of their id, the rest as "other".
    private func organizations(_ info: JSONValue) {
        guard case .array(let all)? = info["contacts_by_organization"] else { return }
        let ranked = all.sorted { integer($0["contacts"]) > integer($1["contacts"]) }
        let figures: [(String, (JSONValue) -> Int64)] = [
            ("callsheet_contacts", { integer($0["contacts"]) }),
            ("callsheet_calls_stored", { integer($0["calls_stored"]) }),
            ("callsheet_cold_calls", { integer($0["cold_calls"]?["calls"]) }),
            ("callsheet_cold_bytes", { integer($0["cold_calls"]?["disk_bytes"]) }),
            ("callsheet_dnc_numbers", { integer($0["dnc"]?["numbers"]) }),
            ("callsheet_campaigns_active", { integer($0["campaigns_active"]) }),
            ("callsheet_duplicate_groups", { integer($0["duplicates"]?["found"]) }),
            ("callsheet_merges", { integer($0["duplicates"]?["merged"]) }),
            ("callsheet_unmerges", { integer($0["duplicates"]?["unmerged"]) }),
            ("callsheet_erasures_pending", { integer($0["erasures"]?["pending"]) }),
            ("callsheet_erasures_done", { integer($0["erasures"]?["done"]) }),
            ("callsheet_retention_archived_last_run", { integer($0["retention"]?["archived"]) }),
            ("callsheet_retention_purged_last_run", { integer($0["retention"]?["purged"]) }),
            ("callsheet_snapshot_share_bytes", { integer($0["snapshot_bytes"]) }),
        ]
        for (name, value) in figures {
            var samples = ranked.prefix(maxOrganizations).map { ([String(integer($0["id"]))], value($0)) }
            if ranked.count > maxOrganizations {
                samples.append((["other"], ranked.dropFirst(maxOrganizations).reduce(0) { $0 + value($1) }))
            }
            labelledGauge(name, samples, label: "organization_id")
        }
    }

    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: MetricCatalog.help(name))
    }

    private func gauge(_ name: String, _ value: Int64, labels: [(String, String)] = []) {
        factory.registry.makeGauge(descriptor: descriptor(name), labels: labels).set(value)
    }

    /// Sets one series per label value and removes the series of values no longer present.
    private func labelledGauge(_ name: String, _ samples: [([String], Int64)], label: String) {
        for (values, value) in samples { gauge(name, value, labels: values.map { (label, $0) }) }
        let present = Set(samples.map(\.0))
        let gone = state.withLock { state in
            let gone = (state.labelled[name] ?? []).subtracting(present)
            state.labelled[name] = present
            return gone
        }
        for values in gone {
            factory.registry.unregisterGauge(factory.registry.makeGauge(descriptor: descriptor(name), labels: values.map { (label, $0) }))
        }
    }

    private func counter(_ name: String, _ value: Int64, labels: [(String, String)] = []) {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        let increase = state.withLock { state in
            let last = state.counters[key] ?? 0
            state.counters[key] = value
            return value >= last ? value - last : value
        }
        let counter = factory.registry.makeCounter(descriptor: descriptor(name), labels: labels)
        if increase > 0 { counter.increment(by: increase) }
    }
}

private func integer(_ value: JSONValue?) -> Int64 {
    switch value {
    case .integer(let number)?: number
    case .bool(let flag)?: flag ? 1 : 0
    default: 0
    }
}
