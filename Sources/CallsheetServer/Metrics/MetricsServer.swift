import CallsheetCore
import CallsheetStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A minimal HTTP endpoint: `GET /metrics` answers Prometheus text (swift-prometheus' registry,
/// filled by swift-metrics and ``MetricsScrape``); anything
/// else gets 404. A `Service` that stops on graceful shutdown.
public final class MetricsServer: Service, Sendable {
    let host: String
    let port: Int
    let scrape: MetricsScrape
    let logger: Logger
    private let boundPort: EventLoopPromise<Int>

    /// - Parameters:
    ///   - factory: the registry the store's swift-metrics go to.
    ///   - maxOrganizations: organizations with a label of their own; the rest are "other".
    public init(
        host: String, port: Int, directory: ShardDirectory, serverMetrics: ServerMetrics, factory: CallsheetMetricsFactory, maxOrganizations: Int,
        logger: Logger
    ) {
        self.host = host
        self.port = port
        self.scrape = MetricsScrape(factory: factory, directory: directory, server: serverMetrics, maxOrganizations: maxOrganizations)
        self.logger = logger
        self.boundPort = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Int.self)
    }

    /// The port it listens on, once it does.
    public var localPort: Int {
        get async throws { try await boundPort.futureResult.get() }
    }

    public func run() async throws {
        let render: @Sendable () async -> [UInt8] = { [scrape] in await scrape.render() }
        let channel: Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            boundPort.fail(error)
            throw ServerError(.bindFailed, "cannot listen for metrics on \(host):\(port): \(error)", cause: error)
        }
        boundPort.succeed(channel.localAddress?.port ?? port)
        logger.info("metrics endpoint listening", metadata: ["port": "\(channel.localAddress?.port ?? port)"])
        try? await cancelWhenGracefulShutdown {
            try await withTaskCancellationHandler {
                try await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        }
        try? await channel.close()
    }
}

/// Answers one HTTP/1.1 request at a time on a metrics connection.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () async -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () async -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            guard head.method == .GET, path == "/metrics" else {
                respond(context, head: head, status: .notFound, body: Array("not found; try GET /metrics\n".utf8)[...])
                return
            }
            let promise = context.eventLoop.makePromise(of: [UInt8].self)
            promise.completeWithTask(render)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { text in
                let (handler, context) = loopBound.value
                handler.respond(context, head: head, status: .ok, body: text[...])
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, body: ArraySlice<UInt8>) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.count)")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
