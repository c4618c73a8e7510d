import CallsheetProtocol
import Logging
import NIOCore

/// Closes a connection that has not authenticated in time, has been idle too long, or has left
/// its replies unread too long (the socket stays unwritable). Sits first in the pipeline (after
/// TLS) and sees raw reads and writability changes; checks its deadlines on a timer of the event
/// loop. The authentication deadline runs from the connection's start whatever the client sends,
/// a pending `AUTH` included. Before closing it tells the client why (`-LIMIT ...`), unless the
/// client has left the socket full.
final class ConnectionTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limits: ServerLimits
    private let gate: ConnectionGate
    private let logger: Logger
    private let metrics: ServerMetrics
    private var connectedAt = NIODeadline.now()
    private var lastRead = NIODeadline.now()
    private var unwritableSince: NIODeadline?
    private var timer: RepeatedTask?

    init(limits: ServerLimits, gate: ConnectionGate, metrics: ServerMetrics, logger: Logger) {
        self.limits = limits
        self.gate = gate
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connectedAt = .now()
        lastRead = connectedAt
        let shortest = [limits.authenticationTimeout, limits.unauthenticatedIdleTimeout, limits.idleTimeout, limits.writeStallTimeout]
            .filter { $0 > 0 }.min() ?? 0
        guard shortest > 0 else { return }
        let tick = TimeAmount.milliseconds(Int64(max(50, min(1000, shortest * 250))))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            let (handler, context) = loopBound.value
            handler.check(context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        unwritableSince = context.channel.isWritable ? nil : .now()
        context.fireChannelWritabilityChanged()
    }

    private func check(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        let authenticated = gate.isAuthenticated
        if !authenticated && Self.expired(connectedAt, limits.authenticationTimeout, now) {
            close(context, reason: "did not authenticate in time",
                  reply: "no successful AUTH within \(Self.seconds(limits.authenticationTimeout)); closing the connection")
        } else if let since = unwritableSince, Self.expired(since, limits.writeStallTimeout, now) {
            close(context, reason: "left its replies unread too long", reply: nil)
        } else if unwritableSince == nil,
                  case let timeout = authenticated ? limits.idleTimeout : limits.unauthenticatedIdleTimeout,
                  Self.expired(lastRead, timeout, now) {
            close(context, reason: "idle too long", reply: "idle for \(Self.seconds(timeout)); closing the connection")
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private static func expired(_ start: NIODeadline, _ seconds: Double, _ now: NIODeadline) -> Bool {
        seconds > 0 && now - start >= .nanoseconds(Int64(seconds * 1_000_000_000))
    }

    private func close(_ context: ChannelHandlerContext, reason: String, reply: String?) {
        timer?.cancel()
        timer = nil
        logger.info("closing connection", metadata: ["reason": "\(reason)"])
        metrics.connectionsClosedByServer.add(1, ordering: .relaxed)
        guard let reply, context.channel.isWritable else {
            context.close(promise: nil)
            return
        }
        let bytes = RESPValue.error(code: "LIMIT", message: reply).encoded
        let written = context.writeAndFlush(NIOAny(ByteBuffer(bytes: bytes)))
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.whenComplete { _ in loopBound.value.close(promise: nil) }
    }
}
