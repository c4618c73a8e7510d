import CallsheetCore
import CallsheetProtocol

/// `INFO`, `SLOWLOG` and `CONFIG RESETSTAT` (docs/PROTOCOL.md, "Observability"): what Redis
/// operators and their tools (redis-cli, redis-py's `info()`, redis_exporter) read, in Redis's
/// formats.
extension CommandCatalog {
    static let observability: [CommandDeclaration] = [
        .signedIn(
            "INFO", "INFO [JSON | section ...]", "operations", .signedIn,
            "Health and figures in Redis's format: sections server, clients, memory, persistence, stats, contacts (default), commandstats, errorstats, latencystats (admins), all; INFO JSON answers one JSON object."
        ) { reader throws(CallsheetError) in
            let words = reader.rest().map { $0.lowercased() }
            if words == ["json"] {
                return { caller, session, executor in .bulk(await executor.directory.info(for: caller, shard: session.shard).serialized) }
            }
            let sections = try InfoSections(words)
            return { caller, session, executor in
                let json = await executor.directory.info(for: caller, shard: session.shard)
                return .bulk(InfoText.render(json, sections: sections, caller: caller, organization: session.shard?.id, directory: executor.directory))
            }
        },
        .signedIn(
            "SLOWLOG", "SLOWLOG GET [count] | LEN | RESET", "operations", .admin,
            "Commands slower than serve's --slowlog-threshold, newest first (id, unix time, microseconds, arguments, client address, user); an organization's admin sees and resets their organization's entries."
        ) { reader throws(CallsheetError) in
            let subcommand = try reader.next().uppercased()
            let usage = "SLOWLOG GET [count] | LEN | RESET"
            switch subcommand {
            case "GET":
                let count: Int
                if let text = reader.optional() {
                    guard let value = Int(text), value >= -1 else { throw CallsheetError(.wrongArguments, "SLOWLOG GET: count is a whole number (-1: every entry)") }
                    count = value == -1 ? .max : value
                } else {
                    count = 10
                }
                guard reader.arguments.isEmpty else { throw CallsheetError.wrongArguments("SLOWLOG", usage: usage) }
                return { caller, session, executor in
                    .array(executor.directory.slowLog.entries(count: count, organization: Self.slowLogScope(caller, session)).map(\.reply))
                }
            case "LEN":
                guard reader.arguments.isEmpty else { throw CallsheetError.wrongArguments("SLOWLOG", usage: usage) }
                return { caller, session, executor in .integer(Int64(executor.directory.slowLog.length(organization: Self.slowLogScope(caller, session)))) }
            case "RESET":
                guard reader.arguments.isEmpty else { throw CallsheetError.wrongArguments("SLOWLOG", usage: usage) }
                return { caller, session, executor in
                    executor.directory.slowLog.reset(organization: Self.slowLogScope(caller, session))
                    return .ok
                }
            default:
                throw CallsheetError(.wrongArguments, "unknown SLOWLOG subcommand '\(subcommand.prefix(32))'; usage: \(usage)")
            }
        },
        .signedIn(
            "CONFIG", "CONFIG RESETSTAT", "operations", .owner,
            "Clears the command, error and latency statistics of INFO (the metrics endpoint's counters keep counting). Settings are serve's flags; CONFIG GET/SET are not offered."
        ) { reader throws(CallsheetError) in
            let subcommand = try reader.next().uppercased()
            guard subcommand == "RESETSTAT", reader.arguments.isEmpty else {
                throw CallsheetError(.wrongArguments, "only CONFIG RESETSTAT is offered; the server's settings are flags of callsheet serve (callsheet serve --help)")
            }
            return { _, _, executor in
                executor.directory.statistics.reset()
                executor.directory.counters.reset()
                return .ok
            }
        },
    ]

    /// Whose slow log entries `caller` reads: the owner every organization's (nil), an admin
    /// their organization's.
    private static func slowLogScope(_ caller: Caller, _ session: Session) -> OrganizationID? {
        caller.isOwner ? nil : session.shard?.id ?? 0
    }
}

/// The sections `INFO` was asked for.
struct InfoSections: Sendable {
    static let defaults = ["server", "clients", "memory", "persistence", "stats", "contacts"]
    static let all = defaults + ["commandstats", "errorstats", "latencystats"]
    var names: [String]

    init(_ words: [String]) throws(CallsheetError) {
        guard !words.isEmpty else {
            names = Self.defaults
            return
        }
        var names: [String] = []
        for word in words {
            switch word {
            case "default": names += Self.defaults
            case "all", "everything": names += Self.all
            case let name where Self.all.contains(name): names.append(name)
            case "keyspace": names.append("contacts")
            default:
                throw CallsheetError(.wrongArguments, "INFO has no section '\(word.prefix(32))'; sections: \(Self.all.joined(separator: ", ")), default, all, or JSON")
            }
        }
        var seen: Set<String> = []
        self.names = Self.all.filter { names.contains($0) && seen.insert($0).inserted }
    }
}
