import CallsheetProtocol
import CallsheetStore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The Callsheet TCP server: RESP2/inline requests in, replies in request order (docs/PROTOCOL.md),
/// on a plain port, a TLS port, or both, and on a Unix-domain control socket whose connections
/// have the data directory owner's rights (``ServerConfiguration/controlSocketPath``).
///
/// A `Service`: `run()` binds, serves each connection in a child task of a discarding task group,
/// and on graceful shutdown stops accepting, lets every connection answer what it has already
/// read, and returns once all have closed. The store is closed by its own service afterwards.
public final class TCPServer: Service, Sendable {
    public let configuration: ServerConfiguration
    public let executor: CommandExecutor
    public let metrics = ServerMetrics()
    private let logger: Logger
    private let group: any EventLoopGroup
    private let registry = ConnectionRegistry()
    private let tls: TLSContextStore?
    private let boundPort: EventLoopPromise<Int>
    private let boundTLSPort: EventLoopPromise<Int>

    /// - Throws: ``ServerError`` (`invalidConfiguration`) when the TLS files cannot be read.
    public init(
        configuration: ServerConfiguration, directory: ShardDirectory, logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(ServerError) {
        self.configuration = configuration
        self.executor = CommandExecutor(directory: directory)
        self.logger = logger
        self.group = group
        self.tls = try configuration.tls.map { settings throws(ServerError) in try TLSContextStore(settings) }
        self.boundPort = group.next().makePromise(of: Int.self)
        self.boundTLSPort = group.next().makePromise(of: Int.self)
        metrics.countPendingRequests { [registry] in registry.pendingRequests() }
    }

    /// The plain port the server listens on, once it does (useful with port 0). Throws if binding
    /// failed or the server serves TLS only.
    public var localPort: Int {
        get async throws { try await boundPort.futureResult.get() }
    }

    /// The TLS port, once the server listens on it. Throws if binding failed or there is no TLS.
    public var localTLSPort: Int {
        get async throws { try await boundTLSPort.futureResult.get() }
    }

    /// Requests read from clients and not answered yet, over all connections (at most
    /// ``ServerLimits/maxPendingRequests`` each).
    public var pendingRequests: Int { registry.pendingRequests() }

    /// Reads the TLS certificate, key and CA files again: new connections use them, open ones
    /// keep theirs. On failure the old ones stay in use.
    public func reloadTLS() throws(ServerError) {
        guard let tls else { return }
        try tls.reload()
        logger.info("reloaded the TLS certificate", metadata: ["certificate": "\(tls.settings.certificatePath)"])
    }

    public func run() async throws {
        var listeners: [NIOAsyncChannel<AcceptedConnection, Never>] = []
        var controlSocket: String?
        do {
            // The control socket first: once the TCP port accepts, the owner can connect too.
            if let path = configuration.controlSocketPath {
                listeners.append(try await bindControlSocket(path: path))
                controlSocket = path
            }
            if configuration.servesPlainText {
                listeners.append(try await bind(port: configuration.port, tls: nil, promise: boundPort))
            } else {
                boundPort.fail(ServerError(.invalidConfiguration, "the server serves TLS only"))
            }
            if let tls {
                listeners.append(try await bind(port: tls.settings.port, tls: tls, promise: boundTLSPort))
            } else {
                boundTLSPort.fail(ServerError(.invalidConfiguration, "the server has no TLS port"))
            }
        } catch {
            boundPort.fail(error)
            boundTLSPort.fail(error)
            for listener in listeners { try? await listener.channel.close() }
            if let controlSocket { ControlSocket.remove(controlSocket) }
            throw error
        }
        // Removed once nothing listens on it any more, before the store releases the data directory.
        defer { if let controlSocket { ControlSocket.remove(controlSocket) } }
        let channels = listeners

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for listener in channels {
                    group.addTask {
                        try await listener.executeThenClose { inbound in
                            try await withThrowingDiscardingTaskGroup { connections in
                                for try await connection in inbound {
                                    connections.addTask { await self.serve(connection) }
                                }
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("draining: no new connections; open ones finish what they have read")
            for listener in channels { listener.channel.close(promise: nil) }
            self.registry.drain()
        }
        logger.info("server stopped")
    }

    /// Binds one listening socket (plain when `tls` is nil).
    private func bind(
        port: Int, tls: TLSContextStore?, promise: EventLoopPromise<Int>
    ) async throws -> NIOAsyncChannel<AcceptedConnection, Never> {
        let limits = configuration.limits
        let host = configuration.host
        let serverChannel: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(
                    low: max(1, limits.maxPendingReplyBytes / 2), high: max(2, limits.maxPendingReplyBytes)))
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
                        }
                        return try Self.configure(channel, id: self.registry.nextID(), limits: limits, owner: false, metrics: self.metrics, logger: self.logger)
                    }
                }
        } catch {
            let what = tls == nil ? "" : " (TLS)"
            throw ServerError(.bindFailed, "cannot listen\(what) on \(host):\(port): \(error)", cause: error)
        }
        let bound = serverChannel.channel.localAddress?.port ?? port
        promise.succeed(bound)
        logger.info("listening", metadata: ["host": "\(host)", "port": "\(bound)", "tls": "\(tls != nil)"])
        return serverChannel
    }

    /// Binds the control socket: a Unix-domain socket, mode 0600, whose connections are the
    /// data directory's owner. A socket file left there by a process that was killed is removed
    /// first: the data directory's lock, which this process holds, proves nobody uses it.
    private func bindControlSocket(path: String) async throws -> NIOAsyncChannel<AcceptedConnection, Never> {
        // The owner is trusted: no idle timeout (a long BACKUP or COMPACT must not be cut off).
        var ownerLimits = configuration.limits
        ownerLimits.idleTimeout = 0
        let limits = ownerLimits
        let serverChannel: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            try ControlSocket.checkPath(path)
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 16)
                .childChannelOption(.writeBufferWaterMark, value: .init(
                    low: max(1, limits.maxPendingReplyBytes / 2), high: max(2, limits.maxPendingReplyBytes)))
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configure(channel, id: self.registry.nextID(), limits: limits, owner: true, metrics: self.metrics, logger: self.logger)
                    }
                }
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.bindFailed, "cannot listen on the control socket \(path): \(error)", cause: error)
        }
        do {
            try ControlSocket.makePrivate(path)
        } catch {
            try? await serverChannel.channel.close()
            ControlSocket.remove(path)
            throw error
        }
        logger.info("listening", metadata: ["control_socket": "\(path)"])
        return serverChannel
    }

    /// A connection as accepted: its async channel, id and gate, and whether it is the owner's
    /// (the control socket).
    ///
    /// NIO requires every `NIOAsyncChannel` to be closed through `executeThenClose`; one accepted
    /// just as its listener closes (a graceful shutdown) is dropped by the listener's stream and
    /// never served, so it closes itself when it goes (that used to trap the process).
    final class AcceptedConnection: Sendable {
        let id: UInt64
        let channel: NIOAsyncChannel<RequestBatch, ByteBuffer>
        let gate: ConnectionGate
        let logger: Logger
        let isOwner: Bool
        private let served = Atomic<Bool>(false)

        init(id: UInt64, channel: NIOAsyncChannel<RequestBatch, ByteBuffer>, gate: ConnectionGate, logger: Logger, isOwner: Bool) {
            self.id = id
            self.channel = channel
            self.gate = gate
            self.logger = logger
            self.isOwner = isOwner
        }

        /// Called once ``serve(_:)`` has it: from then on it closes the channel.
        func markServed() { served.store(true, ordering: .releasing) }

        deinit {
            guard !served.load(ordering: .acquiring) else { return }
            let channel = self.channel
            Task { try? await channel.executeThenClose { _, _ in } }
        }
    }

    /// The pipeline of one connection: timeouts, framing into batches, pausing reads, then the
    /// async channel.
    private static func configure(
        _ channel: Channel, id: UInt64, limits: ServerLimits, owner: Bool, metrics: ServerMetrics, logger: Logger
    ) throws -> AcceptedConnection {
        var logger = logger
        logger[metadataKey: "connection"] = "\(id)"
        if owner { logger[metadataKey: "owner"] = "control-socket" }
        let gate = ConnectionGate(authenticated: owner)
        try channel.pipeline.syncOperations.addHandler(ConnectionTimeoutHandler(limits: limits, gate: gate, metrics: metrics, logger: logger))
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(RequestFrameDecoder(limits: limits, gate: gate), maximumBufferSize: limits.maximumBufferedBytes))
        try channel.pipeline.syncOperations.addHandler(ReadPauseHandler(gate: gate, maxPendingRequests: limits.maxPendingRequests))
        try channel.pipeline.syncOperations.addHandler(DrainHandler())
        // The decoder stops at maxPendingRequests; this only bounds the batches between it and the task.
        let batches = max(2, limits.maxPendingRequests / limits.requestsPerBatch + 1)
        let asyncChannel = try NIOAsyncChannel<RequestBatch, ByteBuffer>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: batches)))
        return AcceptedConnection(id: id, channel: asyncChannel, gate: gate, logger: logger, isOwner: owner)
    }

    private func serve(_ connection: AcceptedConnection) async {
        connection.markServed()
        let channel = connection.channel
        let logger = connection.logger
        // The owner gets in even when the clients have taken every slot: that is when they need to.
        let admitted = !connection.isOwner
        guard !admitted || metrics.admitConnection(maximum: configuration.limits.maxClients) else {
            logger.warning("refusing a connection: max clients reached", metadata: ["max_clients": "\(configuration.limits.maxClients)"])
            try? await channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(bytes: ServerError.maxClientsReply.encoded))
            }
            return
        }
        defer { if admitted { metrics.releaseConnection() } }
        // INFO reports open connections from the store's counters.
        executor.directory.counters.connections.add(1, ordering: .relaxed)
        defer { executor.directory.counters.connections.subtract(1, ordering: .relaxed) }
        guard registry.register(connection.id, channel.channel, gate: connection.gate) else {
            try? await channel.executeThenClose { _, _ in }
            return
        }
        defer { registry.remove(connection.id) }
        logger.debug("connected", metadata: ["peer": "\(channel.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        await Connection(
            id: connection.id, channel: channel, gate: connection.gate, executor: executor,
            limits: configuration.limits, metrics: metrics, logger: logger, isOwner: connection.isOwner
        ).run()
        logger.debug("disconnected")
    }
}
