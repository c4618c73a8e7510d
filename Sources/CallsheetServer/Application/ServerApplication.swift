import CallsheetCore
import CallsheetStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `callsheet serve` as a whole: opens the data directory (recovery runs before anything binds),
/// then runs the store, the TCP server and the optional metrics endpoint in one `ServiceGroup`.
///
/// SIGTERM or SIGINT starts a graceful shutdown in reverse order: the metrics endpoint stops, the
/// server stops accepting and drains its connections, then the store writes a final snapshot and
/// closes the journal. `run` returns normally, so the process exits 0. SIGHUP reads the TLS
/// certificate and key again (``TCPServer/reloadTLS()``).
public struct ServerApplication: Sendable {
    public var store: StoreConfiguration
    public var server: ServerConfiguration
    /// After this long a graceful shutdown turns into cancellation (a client that never reads).
    public var maximumShutdownDuration: Duration = .seconds(30)

    public init(store: StoreConfiguration, server: ServerConfiguration) {
        self.store = store
        self.server = server
    }

    public func run(logger: Logger) async throws {
        // One registry per server: the store's swift-metrics go to it, the endpoint reads it.
        let metricsFactory = (store.metricsFactory as? CallsheetMetricsFactory) ?? CallsheetMetricsFactory()
        var store = self.store
        store.metricsFactory = metricsFactory
        let directory: ShardDirectory
        do {
            directory = try ShardDirectory.open(store, logger: logger)
        } catch {
            throw ServerError(.invalidConfiguration, "cannot open the data directory '\(store.directory)': \(error.message)", cause: error)
        }
        let recovery = await directory.recoveryReport
        if !recovery.isEmpty {
            logger.info("recovered", metadata: ["report": "\(recovery)"])
        }
        var server = self.server
        if let path = server.controlSocketPath, !ControlSocket.fits(path) {
            logger.warning(
                "no control socket: its path is too long for a Unix-domain socket; owner commands (BACKUP, COMPACT, ORG.CREATE) need a stop, or a data directory with a shorter path",
                metadata: ["path": "\(path)", "bytes": "\(path.utf8.count)", "maximum": "\(ControlSocket.maximumPathBytes)"])
            server.controlSocketPath = nil
        }
        // Sheet downloads (IMPORT ... SHEET) run on the server's event loops.
        let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
        ImportRunner.configure(directory, ImportRunner.Configuration(eventLoopGroup: group))
        let tcp: TCPServer
        do {
            tcp = try TCPServer(configuration: server, directory: directory, logger: logger, group: group)
        } catch {
            await directory.close()
            throw error
        }
        warnAboutExposure(logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: StoreService(directory: directory)),
            .init(service: tcp, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if server.tls != nil {
            services.append(.init(service: TLSReloadService(server: tcp, logger: logger)))
        }
        if let metricsPort = server.metricsPort {
            let metrics = MetricsServer(
                host: server.metricsHost, port: metricsPort, directory: directory, serverMetrics: tcp.metrics, factory: metricsFactory,
                maxOrganizations: server.metricsMaxOrganizations, logger: logger)
            services.append(.init(service: metrics, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = maximumShutdownDuration
        try await ServiceGroup(configuration: configuration).run()
        logger.info("stopped cleanly")
    }

    /// Warns when something listens beyond this machine: the plain port (secrets in clear text),
    /// or the metrics endpoint (no authentication).
    private func warnAboutExposure(_ logger: Logger) {
        if server.servesPlainText, !ServerConfiguration.isLoopback(server.host) {
            logger.warning(
                "the plain-text port listens on a non-loopback address: anyone who can reach it may try to AUTH, and secrets and contacts cross the network unencrypted; prefer --tls-port with --no-plain",
                metadata: ["host": "\(server.host)", "port": "\(server.port)"])
        } else if server.tls != nil, !ServerConfiguration.isLoopback(server.host) {
            logger.notice("the TLS port listens on a non-loopback address: anyone who can reach it may try to AUTH", metadata: ["host": "\(server.host)"])
        }
        if server.metricsPort != nil, !ServerConfiguration.isLoopback(server.metricsHost) {
            logger.warning("the metrics endpoint listens on a non-loopback address and answers anyone without authentication",
                           metadata: ["metrics_host": "\(server.metricsHost)"])
        }
    }
}
