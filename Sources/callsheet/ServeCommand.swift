import ArgumentParser
import CallsheetServer
import CallsheetStore
import Logging

/// `callsheet serve`: the store over TCP (docs/PROTOCOL.md). Runs until SIGTERM or SIGINT, then
/// drains connections, writes a final snapshot and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the command language over TCP (RESP2 and inline requests).",
        discussion: """
            Listens on 127.0.0.1:7878 by default. Listening on another address is your explicit \
            choice: pass it with --host (for example --host 0.0.0.0). Clients sign in with \
            AUTH <user> <secret>; create users with `callsheet org create` and USER.CREATE.
            """
    )

    @Option(name: .customLong("data"), help: "The data directory (journal and snapshots).")
    var dataDirectory = "Snapshots"

    @Option(help: "Address to listen on. Anything but loopback exposes the server to the network.")
    var host = "127.0.0.1"

    @Option(help: "TCP port (0: any free port).")
    var port = 7878

    @Option(help: "When the journal is fsynced: always (every acknowledged write), everysec, no.")
    var fsync = "always"

    @Option(help: "Serve Prometheus metrics at http://HOST:PORT/metrics.")
    var metricsPort: Int?

    @Flag(help: "On a damaged journal, keep what precedes the damage instead of refusing to start.")
    var repair = false

    @Option(help: "Most clients connected at once.")
    var maxClients = ServerLimits().maxClients

    @Option(help: "Seconds an authenticated connection may stay idle (0: forever).")
    var idleTimeout = ServerLimits().idleTimeout

    @Option(help: "Seconds a new connection has to send a successful AUTH.")
    var authTimeout = ServerLimits().authenticationTimeout

    @Option(help: "Longest inline request line, in bytes.")
    var maxInlineBytes = ServerLimits().request.maxInlineLength

    @Option(help: "Longest bulk string (one argument), in bytes.")
    var maxBulkBytes = ServerLimits().request.maxBulkLength

    @Option(help: "Most arguments in one request.")
    var maxArguments = ServerLimits().request.maxArrayCount

    @Option(help: "Requests read ahead per connection before the server stops reading from it.")
    var maxPendingRequests = ServerLimits().maxPendingRequests

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0–65535") }
        guard ["always", "everysec", "no"].contains(fsync) else {
            throw ValidationError("--fsync must be always, everysec or no (got '\(fsync)')")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        guard maxClients > 0, maxInlineBytes >= 64, maxBulkBytes >= 64, maxArguments >= 3, maxPendingRequests > 0 else {
            throw ValidationError("limits must be positive (inline and bulk at least 64 bytes, at least 3 arguments)")
        }
        guard idleTimeout >= 0, authTimeout >= 0 else { throw ValidationError("timeouts must be 0 (off) or more seconds") }
    }

    func run() async throws {
        var logger = Logger(label: "callsheet.server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var store = StoreConfiguration(directory: dataDirectory)
        if let policy = type(of: store.fsyncPolicy).init(rawValue: fsync) {
            store.fsyncPolicy = policy
        }
        store.repair = repair

        var limits = ServerLimits()
        limits.maxClients = maxClients
        limits.idleTimeout = idleTimeout
        limits.authenticationTimeout = authTimeout
        limits.request.maxInlineLength = maxInlineBytes
        limits.request.maxBulkLength = maxBulkBytes
        limits.request.maxArrayCount = maxArguments
        limits.maxPendingRequests = maxPendingRequests

        if !ServerConfiguration.isLoopback(host) {
            logger.warning("listening on a non-loopback address: anyone who can reach it may try to AUTH", metadata: ["host": "\(host)"])
        }
        let server = ServerConfiguration(host: host, port: port, metricsPort: metricsPort, limits: limits)
        try await ServerApplication(store: store, server: server).run(logger: logger)
    }
}
