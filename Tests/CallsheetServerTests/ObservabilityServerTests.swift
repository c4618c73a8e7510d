import CallsheetServer
import Foundation
import Testing
import TestSupport

/// A real `callsheet serve` watched as an operator would: redis-py's `info()` parses `INFO`,
/// Python's `prometheus_client` parses `/metrics`, `SLOWLOG GET` shows a slow SORT, and
/// `callsheet top` prints the busiest commands.
@Suite("Observability of a running server")
struct ObservabilityServerTests {
    static let script = #"""
import json, os, sys, urllib.request
import redis
from prometheus_client.parser import text_string_to_metric_families

options = dict(host="127.0.0.1", port=int(os.environ["CS_PORT"]), username=os.environ["CS_USER"],
               password=os.environ["CS_SECRET"], decode_responses=True)
try:
    r = redis.Redis(protocol=2, **options)  # redis-py 5+ (RESP2; Callsheet answers HELLO 3 with NOPROTO)
except TypeError:
    r = redis.Redis(**options)  # Debian's redis-py 4 speaks RESP2 only
def word(n):
    letters = ""
    for _ in range(5):
        letters += "bcdfghjklmnpqrstvwxz"[n % 20]
        n //= 20
    return letters.capitalize()
for chunk in range(8):
    people = [{"name": "%s %s" % (word(chunk * 500 + i), word(3000000 + chunk * 500 + i)), "phone": "+1650%07d" % (2000000 + chunk * 500 + i)}
              for i in range(500)]
    reply = json.loads(r.execute_command("CONTACT.BULK", json.dumps(people)))
    assert reply["created"] == 500, str(reply)[:300]
for _ in range(3):
    r.execute_command("CONTACT.SEARCH", "*", "SORT", "name", "DESC", "LIMIT", "1000")
try:
    r.execute_command("CONTACT.GET", 99999999)
except redis.exceptions.ResponseError:
    pass

info = r.info()
assert info["connected_clients"] >= 1, info
assert info["org1"]["contacts"] == 4000, info
stats = r.info("commandstats")
bulk = stats["cmdstat_contact.bulk"]
assert bulk["calls"] == 8 and bulk["failed_calls"] == 0 and bulk["usec"] > 0, stats
assert stats["cmdstat_contact.get"]["failed_calls"] == 1, stats
latency = r.info("latencystats")["latency_percentiles_usec_contact.search"]
assert 0 < latency["p50"] <= latency["p99"] <= latency["p99.9"], latency
found = r.info("errorstats")["errorstat_NOT_FOUND"]  # redis-py 4 leaves "count=1" (one field) a string, as for Redis itself
assert (found["count"] if isinstance(found, dict) else int(found.split("=")[1])) == 1, found
try:
    r.execute_command("CONFIG", "RESETSTAT")
    sys.exit("an organization's admin reset the server's statistics")
except redis.exceptions.ResponseError as error:
    assert str(error).startswith("FORBIDDEN"), str(error)

slow = r.execute_command("SLOWLOG", "GET", "-1")
sorts = [entry for entry in slow if entry[3][0] == "CONTACT.SEARCH" and "SORT" in entry[3]]
assert sorts, slow
assert all(entry[2] >= 5000 for entry in slow), slow
assert all(entry[5] == os.environ["CS_USER"] and entry[4].startswith("127.0.0.1:") for entry in slow), slow
assert not any(os.environ["CS_SECRET"] in json.dumps(entry) for entry in slow)
assert r.execute_command("SLOWLOG", "LEN") >= len(sorts)

text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % os.environ["CS_METRICS"], timeout=10).read().decode()
documented = set(os.environ["CS_DOCUMENTED"].split(","))
families = {family.name: family for family in text_string_to_metric_families(text)}
for name, family in families.items():
    exported = name + "_total" if family.type == "counter" else name
    assert exported in documented, "undocumented metric " + exported
for name in ["callsheet_commands", "callsheet_command_duration_seconds", "callsheet_contacts", "callsheet_journal_records",
             "callsheet_journal_batch_records", "callsheet_connections", "callsheet_errors", "callsheet_data_directory_bytes",
             "callsheet_resident_memory_bytes", "callsheet_import_jobs", "callsheet_export_jobs", "callsheet_unmerges"]:
    assert name in families, name + " missing"
def sample(family, suffix, **labels):
    for s in families[family].samples:
        if s.name == family + suffix and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None
assert sample("callsheet_commands", "_total", command="CONTACT.BULK", outcome="ok") == 8
assert sample("callsheet_commands", "_total", command="CONTACT.GET", outcome="failed") == 1
assert sample("callsheet_command_duration_seconds", "_count", command="CONTACT.SEARCH") == 3
assert sample("callsheet_contacts", "", organization_id="1") == 4000
assert sample("callsheet_journal_records", "_total") >= 8
assert sample("callsheet_errors", "_total", code="NOT_FOUND") == 1
print("ok")
"""#

    @Test("redis-py reads INFO, commandstats, latencystats, errorstats and SLOWLOG; prometheus_client reads every documented metric; callsheet top lists the commands")
    func operatorView() async throws {
        let python = "/usr/bin/python3"
        let check = try await ExternalProcess.run(python, ["-c", "import redis, prometheus_client"])
        try #require(check.status == 0, "Debian's python3-redis and python3-prometheus-client (scripts/setup): \(check.errorOutput)")
        let metricsPort = try TCPConnection.freePort()
        let server = try await ServeProcess.start(["--metrics-port", "\(metricsPort)", "--slowlog-threshold", "5"])
        defer { server.stop() }
        let port = try #require(server.port)
        _ = try await TCPConnection.waitUntilAccepting(port: metricsPort, timeout: .seconds(30))

        let run = try await ExternalProcess.run(python, ["-c", Self.script], environment: [
            "CS_PORT": "\(port)", "CS_USER": ServeProcess.admin, "CS_SECRET": server.adminSecret, "CS_METRICS": "\(metricsPort)",
            "CS_DOCUMENTED": try Self.documentedMetrics().joined(separator: ","),
        ], timeout: 300)
        #expect(run.status == 0 && run.output.contains("ok"), "\(run.output)\n\(run.errorOutput)")

        let executable = try #require(BuiltProduct.path("callsheet"))
        let top = try await ExternalProcess.run(
            executable, ["top", "--connect", "127.0.0.1:\(port)", "--user", ServeProcess.admin, "--iterations", "2", "--interval", "0.2"],
            environment: ["CALLSHEET_SECRET": server.adminSecret], timeout: 60)
        #expect(top.status == 0, "\(top.output)\n\(top.errorOutput)")
        #expect(top.output.contains("connections") && top.output.contains("commands/s"), "\(top.output)")
        let bulk = try #require(top.output.split(separator: "\n").first { $0.hasPrefix("CONTACT.BULK ") }, "\(top.output)")
        #expect(bulk.split(separator: " ").last == "0" && bulk.contains(" 8 "), "8 calls, none failed: \(bulk)")
        let refused = try await ExternalProcess.run(
            executable, ["top", "--connect", "127.0.0.1:\(port)", "--user", ServeProcess.admin, "--iterations", "1"],
            environment: ["CALLSHEET_SECRET": "wrong"], timeout: 60)
        #expect(refused.status != 0 && refused.errorOutput.contains("AUTH_FAILED"), "\(refused.errorOutput)")
    }

    @Test("every metric the catalog declares is documented in docs/PROTOCOL.md, and every documented one is declared")
    func catalogMatchesTheDocs() throws {
        let documented = Set(try Self.documentedMetrics())
        let declared = Set(MetricCatalog.metrics.map(\.name))
        #expect(declared.subtracting(documented).isEmpty, "undocumented: \(declared.subtracting(documented).sorted())")
        #expect(documented.subtracting(declared).isEmpty, "documented, not exported: \(documented.subtracting(declared).sorted())")
    }

    /// The metric names docs/PROTOCOL.md lists in its "Metrics" table.
    static func documentedMetrics() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let protocolText = try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        guard let start = protocolText.range(of: "#### Metrics") else { return [] }
        let section = protocolText[start.upperBound...]
        let end = section.range(of: "\n#")?.lowerBound ?? section.endIndex
        let names = section[..<end].split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
        return names.filter { $0.hasPrefix("callsheet_") }.map(String.init)
    }
}
