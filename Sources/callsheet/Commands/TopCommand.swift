import ArgumentParser
import CallsheetProtocol
import CallsheetServer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `callsheet top`: a live view of a running server for an operator, like `top` — commands per
/// second, each command's rate, mean time in the last interval and p99, and connections —
/// refreshed in the terminal. It reads `INFO clients stats commandstats latencystats` once per
/// interval, so it shows what that user may see: the owner (through the control socket) the
/// whole server, an organization's admin their organization.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch a running server: commands per second, p99 per command, connections (refreshing).",
        discussion: """
            Connect to the control socket (DATA/control.sock) as the data directory's owner to see \
            the whole server, or to host:port as an organization's admin (--user; the secret from \
            CALLSHEET_SECRET) to see that organization. p99 is over the commands since the server \
            started or since CONFIG RESETSTAT; rates and mean times are over the last interval.
            """)

    @Option(help: "The server: host:port, or the path of its control socket (DATA/control.sock).")
    var connect: String

    @Option(help: "The login to AUTH as over host:port. The secret is read from CALLSHEET_SECRET.")
    var user: String?

    @OptionGroup(title: "TLS") var tls: RemoteTLSOptions

    @Option(help: "Seconds between refreshes.")
    var interval: Double = 1

    @Option(help: "Refreshes to show before exiting (0: until interrupted).")
    var iterations = 0

    @Option(help: "Commands to list (the busiest first).")
    var rows = 20

    func validate() throws {
        guard interval >= 0.05, interval <= 3600 else { throw ValidationError("--interval is 0.05 to 3600 seconds") }
        guard iterations >= 0, rows > 0 else { throw ValidationError("--iterations is 0 or more, --rows at least 1") }
    }

    func run() async throws {
        let connection: RemoteConnection
        if RemoteSession.isSocketPath(connect) {
            connection = try RemoteConnection(socketPath: connect)
        } else {
            let parts = connect.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else {
                throw ValidationError("--connect expects host:port or the path of a server's control socket")
            }
            connection = try await RemoteConnection(host: String(parts[0]), port: port, tls: tls.settings)
        }
        if let user {
            guard let secret = ProcessInfo.processInfo.environment["CALLSHEET_SECRET"] else {
                throw CommandFailure("set CALLSHEET_SECRET to sign in as \(user)")
            }
            if case .error(let text) = try await connection.send(["AUTH", user, secret]) { throw CommandFailure(text) }
        }
        let terminal = isatty(STDOUT_FILENO) == 1
        var previous = try await sample(connection)
        var shown = 0
        while iterations == 0 || shown < iterations {
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            let current = try await sample(connection)
            let frame = TopFrame(previous: previous, current: current, rows: rows).render(address: connect)
            print(terminal ? "\u{1B}[H\u{1B}[2J" + frame : frame, terminator: terminal ? "" : "\n")
            fflush(nil)
            previous = current
            shown += 1
        }
    }

    private func sample(_ connection: RemoteConnection) async throws -> TopSample {
        let reply = try await connection.send(["INFO", "clients", "stats", "commandstats", "latencystats"])
        switch reply {
        case .bulkString(let bytes): return TopSample(info: String(decoding: bytes, as: UTF8.self), at: Date())
        case .error(let text): throw CommandFailure("INFO: \(text)")
        default: throw CommandFailure("INFO answered \(reply)")
        }
    }
}

/// One reading of `INFO`, parsed as redis-py parses it: `key:value`, and `a=1,b=2` values.
struct TopSample {
    var at: Date
    var fields: [String: String] = [:]
    /// Command (lower case) → its figures (`calls`, `usec`, `p99` …).
    var commands: [String: [String: Double]] = [:]

    init(info: String, at: Date) {
        self.at = at
        for line in info.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let value = String(line[line.index(after: colon)...])
            for prefix in ["cmdstat_", "latency_percentiles_usec_"] where key.hasPrefix(prefix) {
                let command = String(key.dropFirst(prefix.count))
                for pair in value.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2, let number = Double(parts[1]) { commands[command, default: [:]][String(parts[0])] = number }
                }
            }
            fields[key] = value
        }
    }
}

/// The view between two samples.
struct TopFrame {
    var previous: TopSample
    var current: TopSample
    var rows: Int

    func render(address: String) -> String {
        let seconds = max(current.at.timeIntervalSince(previous.at), 0.001)
        let total = (Double(current.fields["total_commands_processed"] ?? "") ?? 0) - (Double(previous.fields["total_commands_processed"] ?? "") ?? 0)
        var lines = [
            "callsheet top — \(address) — \(Self.timeFormatter.string(from: current.at))",
            "connections \(current.fields["connected_clients"] ?? "?")   commands/s \(Self.number(max(total, 0) / seconds))   errors \(current.fields["total_error_replies"] ?? "0")",
            "",
            Self.row("COMMAND", "CALLS/S", "MEAN µs", "P99 µs", "CALLS", "FAILED"),
        ]
        let figures = current.commands.compactMap { command, now -> (String, Double, Double?, Double?, Double, Double)? in
            guard let calls = now["calls"] else { return nil }
            let before = previous.commands[command] ?? [:]
            let newCalls = calls - (before["calls"] ?? 0)
            let newMicroseconds = (now["usec"] ?? 0) - (before["usec"] ?? 0)
            let failed = (now["failed_calls"] ?? 0) + (now["rejected_calls"] ?? 0)
            return (command, max(newCalls, 0) / seconds, newCalls > 0 ? newMicroseconds / newCalls : nil, now["p99"], calls, failed)
        }
        for (command, rate, mean, p99, calls, failed) in figures.sorted(by: { ($0.1, $0.4) > ($1.1, $1.4) }).prefix(rows) {
            lines.append(Self.row(command.uppercased(), Self.number(rate), mean.map(Self.number) ?? "-", p99.map(Self.number) ?? "-", Self.number(calls), Self.number(failed)))
        }
        if figures.isEmpty { lines.append("(no commands yet)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ columns: String...) -> String {
        let widths = [24, 10, 10, 10, 12, 8]
        return zip(columns, widths).enumerated().map { index, pair in
            let (text, width) = pair
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return index == 0 ? text + padding : padding + text
        }.joined(separator: " ")
    }

    private static func number(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    private static let timeFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter
    }()
}
