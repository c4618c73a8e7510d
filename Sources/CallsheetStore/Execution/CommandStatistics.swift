import CallsheetCore
import CoreMetrics
import Histogram
import Synchronization

/// What the store counts of every command it runs, for `INFO commandstats`, `INFO latencystats`,
/// `INFO errorstats` and the metrics endpoint (docs/PROTOCOL.md, "Observability").
///
/// Per command and per organization: calls, microseconds spent, calls refused before they ran
/// (`rejected`: the role or the arguments) and calls that ran and failed (`failed`), as Redis
/// counts them. Latency percentiles come from one HdrHistogram per command over the whole server
/// (2 significant digits, 1 µs to 1 h, 64-bit counts that never wrap, about 26 KB each): a histogram per command per
/// organization would cost megabytes per organization, so an organization's admin reads the
/// server's percentiles for the commands their organization ran (the counts are theirs alone).
///
/// Every command also goes to swift-metrics (`callsheet_commands_total{command,outcome}` and the
/// `callsheet_command_duration_seconds{command}` timer) through the factory the store was given,
/// so the metrics endpoint's exporter (swift-prometheus) sees the same calls.
public final class CommandStatistics: Sendable {
    /// How a command ended.
    public enum Outcome: String, Sendable, CaseIterable {
        case ok
        /// Refused before it ran: its role, its arguments, a revoked login.
        case rejected
        /// Ran and answered an error.
        case failed
    }

    /// One command's counts.
    public struct Counts: Sendable, Equatable {
        public var calls: UInt64 = 0
        public var microseconds: UInt64 = 0
        public var rejected: UInt64 = 0
        public var failed: UInt64 = 0

        mutating func add(_ other: Counts) {
            calls += other.calls
            microseconds += other.microseconds
            rejected += other.rejected
            failed += other.failed
        }
    }

    /// Latency percentiles of one command, in microseconds.
    public struct Percentiles: Sendable, Equatable {
        public var p50: Double
        public var p99: Double
        public var p999: Double
    }

    private struct Table: ~Copyable {
        /// Organization (0: none chosen) → command → counts.
        var counts: [OrganizationID: [String: Counts]] = [:]
        /// Organization → error code → count.
        var errors: [OrganizationID: [String: UInt64]] = [:]
        /// Command → its server-wide latency and its swift-metrics handles.
        var commands: [String: PerCommand] = [:]
    }

    /// A command's latency histogram (a class, so recording mutates it in place under the lock)
    /// and its swift-metrics handles.
    private final class PerCommand: @unchecked Sendable {
        // @unchecked Sendable: `latency` is touched only under `table`'s lock.
        var latency = LatencyHistogram()
        let handles: Metrics.Handles

        init(handles: Metrics.Handles) { self.handles = handles }
    }

    /// 1 µs to 1 h, 2 significant digits, 64-bit counts.
    private struct LatencyHistogram {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)

        mutating func record(_ microseconds: UInt64, count: UInt64) -> Bool {
            histogram.record(min(max(microseconds, 1), 3_600_000_000), count: count)
        }
    }

    private let table = Mutex(Table())
    private let metrics: Metrics

    /// - Parameter factory: where swift-metrics' counters and timers go (the metrics endpoint's
    ///   registry); nil: the process's bootstrapped `MetricsSystem.factory`.
    public init(metricsFactory factory: (any MetricsFactory)? = nil) {
        metrics = Metrics(factory: factory ?? MetricsSystem.factory)
    }

    /// Counts one command (or `count` commands that shared `microseconds` evenly: a run of
    /// pipelined lookups answered in one visit). One lock, a hash of the organization and two of
    /// the command name, no allocation once the command was seen.
    func record(_ command: String, organization: OrganizationID?, microseconds: UInt64, outcome: Outcome, error: CallsheetError.Code? = nil, count: Int = 1) {
        let each = microseconds / UInt64(max(count, 1))
        let handles = table.withLock { table -> Metrics.Handles in
            let times = UInt64(count)
            table.counts[organization ?? 0, default: [:]][command, default: Counts()].add(
                Counts(calls: times, microseconds: microseconds, rejected: outcome == .rejected ? times : 0, failed: outcome == .failed ? times : 0))
            if let error { table.errors[organization ?? 0, default: [:]][error.rawValue, default: 0] += times }
            if let known = table.commands[command] {
                _ = known.latency.record(each, count: times)
                return known.handles
            }
            let entry = PerCommand(handles: metrics.handles(for: command))
            _ = entry.latency.record(each, count: times)
            table.commands[command] = entry
            return entry.handles
        }
        handles.record(outcome, nanoseconds: Int64(clamping: each &* 1000), count: count)
    }

    /// Counts an error answered before any command was known (an unknown name, an empty request).
    func record(error code: CallsheetError.Code, organization: OrganizationID?) {
        table.withLock { $0.errors[organization ?? 0, default: [:]][code.rawValue, default: 0] += 1 }
    }

    /// Each command's counts, by name: one organization's, or (nil) the whole server's.
    public func counts(organization: OrganizationID?) -> [String: Counts] {
        table.withLock { table in
            if let organization { return table.counts[organization] ?? [:] }
            var all: [String: Counts] = [:]
            for perCommand in table.counts.values {
                for (command, counts) in perCommand { all[command, default: Counts()].add(counts) }
            }
            return all
        }
    }

    /// Error replies by code: one organization's, or (nil) the whole server's.
    public func errors(organization: OrganizationID?) -> [String: UInt64] {
        table.withLock { table in
            if let organization { return table.errors[organization] ?? [:] }
            var all: [String: UInt64] = [:]
            for perCode in table.errors.values {
                for (code, count) in perCode { all[code, default: 0] += count }
            }
            return all
        }
    }

    /// The server-wide latency percentiles of `commands`, in microseconds.
    public func percentiles(of commands: some Sequence<String>) -> [String: Percentiles] {
        table.withLock { table in
            var result: [String: Percentiles] = [:]
            for command in commands {
                guard let histogram = table.commands[command]?.latency.histogram, histogram.totalCount > 0 else { continue }
                result[command] = Percentiles(
                    p50: Double(histogram.valueAtPercentile(50)), p99: Double(histogram.valueAtPercentile(99)),
                    p999: Double(histogram.valueAtPercentile(99.9)))
            }
            return result
        }
    }

    /// `CONFIG RESETSTAT`: forgets every count and histogram (the metrics endpoint's counters
    /// keep counting: Prometheus counters only go up).
    public func reset() {
        table.withLock { table in
            table.counts.removeAll()
            table.errors.removeAll()
            for entry in table.commands.values { entry.latency = LatencyHistogram() }
        }
    }

    /// Forgets one organization's counts (it was deleted).
    func forget(organization: OrganizationID) {
        table.withLock { table in
            table.counts[organization] = nil
            table.errors[organization] = nil
        }
    }

    /// The swift-metrics handles of each command, made once (under the statistics' lock).
    private struct Metrics: Sendable {
        let factory: any MetricsFactory

        struct Handles: Sendable {
            let timer: CoreMetrics.Timer
            let ok: CoreMetrics.Counter
            let rejected: CoreMetrics.Counter
            let failed: CoreMetrics.Counter

            func record(_ outcome: Outcome, nanoseconds: Int64, count: Int) {
                for _ in 0..<count { timer.recordNanoseconds(nanoseconds) }
                switch outcome {
                case .ok: ok.increment(by: count)
                case .rejected: rejected.increment(by: count)
                case .failed: failed.increment(by: count)
                }
            }
        }

        func handles(for command: String) -> Handles {
            func counter(_ outcome: Outcome) -> CoreMetrics.Counter {
                CoreMetrics.Counter(label: "callsheet_commands_total", dimensions: [("command", command), ("outcome", outcome.rawValue)], factory: factory)
            }
            return Handles(
                timer: CoreMetrics.Timer(label: "callsheet_command_duration_seconds", dimensions: [("command", command)], factory: factory),
                ok: counter(.ok), rejected: counter(.rejected), failed: counter(.failed))
        }
    }
}
