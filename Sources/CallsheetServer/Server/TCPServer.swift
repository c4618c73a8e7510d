import CallsheetProtocol
import CallsheetStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The Callsheet TCP server: RESP2/inline requests in, replies in request order (docs/PROTOCOL.md).
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
    private let boundPort: EventLoopPromise<Int>

    public init(
        configuration: ServerConfiguration, directory: ShardDirectory, logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.executor = CommandExecutor(directory: directory)
        self.logger = logger
        self.group = group
        self.boundPort = group.next().makePromise(of: Int.self)
    }

    /// The port the server listens on, once it does (useful with port 0). Throws if binding failed.
    public var localPort: Int {
        get async throws { try await boundPort.futureResult.get() }
    }

    public func run() async throws {
        let limits = configuration.limits
        let serverChannel: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(
                    low: max(1, limits.maxPendingReplyBytes / 2), high: max(2, limits.maxPendingReplyBytes)))
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configure(channel, id: self.registry.nextID(), limits: limits, logger: self.logger)
                    }
                }
        } catch {
            boundPort.fail(error)
            throw ServerError(.bindFailed, "cannot listen on \(configuration.host):\(configuration.port): \(error)", cause: error)
        }
        let port = serverChannel.channel.localAddress?.port ?? configuration.port
        boundPort.succeed(port)
        logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await serverChannel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("draining: no new connections; open ones finish what they have read")
            serverChannel.channel.close(promise: nil)
            self.registry.drain()
        }
        logger.info("server stopped")
    }

    /// A connection as accepted: its async channel, id and gate.
    struct AcceptedConnection: Sendable {
        var id: UInt64
        var channel: NIOAsyncChannel<RequestBatch, ByteBuffer>
        var gate: ConnectionGate
        var logger: Logger
    }

    /// The pipeline of one connection: timeouts, framing into batches, then the async channel.
    private static func configure(
        _ channel: Channel, id: UInt64, limits: ServerLimits, logger: Logger
    ) throws -> AcceptedConnection {
        var logger = logger
        logger[metadataKey: "connection"] = "\(id)"
        let gate = ConnectionGate()
        try channel.pipeline.syncOperations.addHandler(ConnectionTimeoutHandler(limits: limits, gate: gate, logger: logger))
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(RequestFrameDecoder(limits: limits, gate: gate), maximumBufferSize: limits.maximumBufferedBytes))
        try channel.pipeline.syncOperations.addHandler(DrainHandler())
        let batches = max(2, limits.maxPendingRequests / ServerLimits.maxBatch)
        let asyncChannel = try NIOAsyncChannel<RequestBatch, ByteBuffer>(
            wrappingChannelSynchronously: channel,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: batches)))
        return AcceptedConnection(id: id, channel: asyncChannel, gate: gate, logger: logger)
    }

    private func serve(_ connection: AcceptedConnection) async {
        let channel = connection.channel
        let logger = connection.logger
        guard metrics.admitConnection(maximum: configuration.limits.maxClients) else {
            logger.warning("refusing a connection: max clients reached", metadata: ["max_clients": "\(configuration.limits.maxClients)"])
            try? await channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(bytes: ServerError.maxClientsReply.encoded))
            }
            return
        }
        defer { metrics.releaseConnection() }
        // INFO reports open connections from the store's counters.
        executor.directory.counters.connections.add(1, ordering: .relaxed)
        defer { executor.directory.counters.connections.subtract(1, ordering: .relaxed) }
        guard registry.register(connection.id, channel.channel) else {
            try? await channel.executeThenClose { _, _ in }
            return
        }
        defer { registry.remove(connection.id) }
        logger.debug("connected", metadata: ["peer": "\(channel.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        await Connection(
            id: connection.id, channel: channel, gate: connection.gate, executor: executor,
            limits: configuration.limits, metrics: metrics, logger: logger
        ).run()
        logger.debug("disconnected")
    }
}
