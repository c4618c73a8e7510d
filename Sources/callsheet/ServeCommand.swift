import ArgumentParser
import CallsheetServer
import CallsheetStore
import CoreMetrics
import Logging

/// `callsheet serve`: the store over TCP (docs/PROTOCOL.md). Runs until SIGTERM or SIGINT, then
/// drains connections, writes a final snapshot and exits 0. SIGHUP reloads the TLS certificate.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the command language over TCP (RESP2 and inline requests), plain or TLS.",
        discussion: """
            Listens on 127.0.0.1:7878 by default. Listening on another address is your explicit \
            choice: pass it with --host (for example --host 0.0.0.0); the server then logs a \
            warning for the plain-text port. Clients sign in with AUTH <user> <secret>; create \
            users with `callsheet org create` and USER.CREATE.

            TLS: --tls-cert FILE --tls-key FILE (PEM) serve TLS on --tls-port (7879) beside the \
            plain port; --no-plain serves TLS only. --tls-ca FILE checks client certificates \
            against that CA; with --tls-client-auth a client without one is refused. SIGHUP reads \
            the certificate and key again: new connections get the new certificate.

            The metrics endpoint (--metrics-port) binds 127.0.0.1 unless --metrics-host says \
            otherwise; it answers without authentication.

            The control socket DATA/control.sock (mode 0600, in the 0700 data directory) takes \
            the same commands with the owner's rights and no AUTH: owner commands such as \
            BACKUP, COMPACT and ORG.CREATE run there while the server runs \
            (`callsheet repl --connect DATA/control.sock`, `callsheet backup --data DATA --to FILE`).

            Every limit below has a safe default; docs/PROTOCOL.md ("Security") lists them with \
            the error each one produces. A timeout of 0 turns it off.
            """
    )

    /// `--data`, `--fsync`, the snapshot schedule, `--keep-snapshots`, `--repair` and
    /// `--drain-seconds`: the options every command that opens a data directory shares.
    @OptionGroup var data: DataOptions

    @Option(help: "Address to listen on (plain and TLS ports). Anything but loopback exposes the server to the network.")
    var host = "127.0.0.1"

    @Option(help: "Plain-text TCP port (0: any free port).")
    var port = 7878

    @Flag(help: "Serve TLS only: no plain-text port (needs --tls-cert and --tls-key).")
    var noPlain = false

    @Option(help: "TLS port, beside the plain one (with --tls-cert and --tls-key).")
    var tlsPort = 7879

    @Option(help: ArgumentHelp("The server's certificate chain (PEM), leaf first; enables TLS.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's private key (PEM).", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("CA certificates (PEM) that client certificates must chain to.", valueName: "file"))
    var tlsCa: String?

    @Flag(help: "Refuse TLS clients without a certificate signed by --tls-ca.")
    var tlsClientAuth = false


    @Option(help: "Serve Prometheus metrics at http://METRICS-HOST:PORT/metrics (no authentication).")
    var metricsPort: Int?

    @Option(help: "Address the metrics endpoint listens on.")
    var metricsHost = "127.0.0.1"

    @Option(help: "Organizations the metrics label one by one (the largest); the rest are summed as organization_id=\"other\".")
    var metricsMaxOrganizations = 100

    @Option(help: "Commands at least this many milliseconds long go in the slow log (SLOWLOG GET); 0 logs every command, a negative number none.")
    var slowlogThreshold: Double = 10

    @Option(help: "Entries the slow log keeps (the oldest are dropped first).")
    var slowlogMaxLen = 128


    @Option(help: "Most clients connected at once.")
    var maxClients = ServerLimits().maxClients

    @Option(help: "Seconds an authenticated connection may stay idle (0: forever).")
    var idleTimeout = ServerLimits().idleTimeout

    @Option(help: "Seconds a connection may stay idle before a successful AUTH (0: forever).")
    var idleTimeoutBeforeAuth = ServerLimits().unauthenticatedIdleTimeout

    @Option(help: "Seconds a new connection has to send a successful AUTH, whatever it sends meanwhile (0: forever).")
    var authTimeout = ServerLimits().authenticationTimeout

    @Option(help: "Failed AUTH attempts a connection may make before it is closed.")
    var maxAuthFailures = ServerLimits().maxFailedAuthAttempts

    @Option(help: "Seconds each failed AUTH waits before its reply.")
    var authFailureDelay = ServerLimits().failedAuthDelay

    @Option(help: "Longest inline request line, in bytes.")
    var maxInlineBytes = ServerLimits().request.maxInlineLength

    @Option(help: "Longest bulk string (one argument), in bytes.")
    var maxBulkBytes = ServerLimits().request.maxBulkLength

    @Option(help: "Most arguments in one request.")
    var maxArguments = ServerLimits().request.maxArrayCount

    @Option(help: "Before a successful AUTH: longest inline line or bulk string, in bytes.")
    var maxRequestBytesBeforeAuth = ServerLimits().unauthenticatedRequest.maxBulkLength

    @Option(help: "Before a successful AUTH: most arguments in one request.")
    var maxArgumentsBeforeAuth = ServerLimits().unauthenticatedRequest.maxArrayCount

    @Option(help: "Requests read ahead per connection before the server stops reading from it.")
    var maxPendingRequests = ServerLimits().maxPendingRequests

    @Option(help: "Reply bytes queued per connection before the server stops taking work from it.")
    var maxPendingReplyBytes = ServerLimits().maxPendingReplyBytes

    @Option(help: "Seconds a client may leave its replies unread (socket full) before it is closed (0: forever).")
    var writeStallTimeout = ServerLimits().writeStallTimeout


    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port), (0...65535).contains(tlsPort) else { throw ValidationError("--port and --tls-port must be 0–65535") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0–65535") }
        guard metricsMaxOrganizations > 0 else { throw ValidationError("--metrics-max-organizations must be at least 1") }
        guard slowlogMaxLen >= 0, slowlogThreshold.isFinite, slowlogThreshold < 86_400_000 else {
            throw ValidationError("--slowlog-max-len must be 0 or more, --slowlog-threshold a number of milliseconds under a day")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        guard maxClients > 0, maxInlineBytes >= 64, maxBulkBytes >= 64, maxArguments >= 3, maxPendingRequests > 0,
              maxRequestBytesBeforeAuth >= 64, maxArgumentsBeforeAuth >= 3, maxPendingReplyBytes >= 1024, maxAuthFailures > 0
        else {
            throw ValidationError(
                "limits must be positive (inline and bulk at least 64 bytes, at least 3 arguments, --max-pending-reply-bytes at least 1024)")
        }
        guard idleTimeout >= 0, idleTimeoutBeforeAuth >= 0, authTimeout >= 0, writeStallTimeout >= 0, authFailureDelay >= 0 else {
            throw ValidationError("timeouts and delays must be 0 (off) or more seconds")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsCert == nil {
            guard !noPlain else { throw ValidationError("--no-plain needs TLS: pass --tls-cert and --tls-key") }
            guard tlsCa == nil, !tlsClientAuth else { throw ValidationError("--tls-ca and --tls-client-auth need --tls-cert and --tls-key") }
        }
        if tlsClientAuth, tlsCa == nil { throw ValidationError("--tls-client-auth needs --tls-ca FILE, the CA client certificates must chain to") }
    }

    func run() async throws {
        var logger = Logger(label: "callsheet.server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var store = data.configuration
        store.slowLogThresholdMicroseconds = slowlogThreshold < 0 ? -1 : Int64((slowlogThreshold * 1000).rounded())
        store.slowLogMaxLength = slowlogMaxLen
        // The process's metrics go to the endpoint's registry, libraries' included.
        let metricsFactory = CallsheetMetricsFactory()
        MetricsSystem.bootstrap(metricsFactory)
        store.metricsFactory = metricsFactory
        store.lockAdvice = "Two servers (or a server and a REPL) cannot share a data directory: stop the other process first, serve another --data directory, or work through the running server: `callsheet repl --connect \(store.controlSocketPath)` as its owner, or `callsheet repl --connect HOST:PORT --user NAME`."

        var limits = ServerLimits()
        limits.maxClients = maxClients
        limits.idleTimeout = idleTimeout
        limits.unauthenticatedIdleTimeout = idleTimeoutBeforeAuth
        limits.authenticationTimeout = authTimeout
        limits.maxFailedAuthAttempts = maxAuthFailures
        limits.failedAuthDelay = authFailureDelay
        limits.request.maxInlineLength = maxInlineBytes
        limits.request.maxBulkLength = maxBulkBytes
        limits.request.maxArrayCount = maxArguments
        limits.unauthenticatedRequest.maxInlineLength = maxRequestBytesBeforeAuth
        limits.unauthenticatedRequest.maxBulkLength = maxRequestBytesBeforeAuth
        limits.unauthenticatedRequest.maxArrayCount = maxArgumentsBeforeAuth
        limits.maxPendingRequests = maxPendingRequests
        limits.maxPendingReplyBytes = maxPendingReplyBytes
        limits.writeStallTimeout = writeStallTimeout

        let tls = tlsCert.map { certificate in
            TLSSettings(port: tlsPort, certificatePath: certificate, keyPath: tlsKey ?? "",
                        certificateAuthorityPath: tlsCa, requiresClientCertificate: tlsClientAuth)
        }
        var server = ServerConfiguration(
            host: host, port: port, servesPlainText: !noPlain, tls: tls,
            metricsPort: metricsPort, metricsHost: metricsHost, limits: limits, controlSocketPath: store.controlSocketPath)
        server.metricsMaxOrganizations = metricsMaxOrganizations
        try await ServerApplication(store: store, server: server).run(logger: logger)
    }
}
