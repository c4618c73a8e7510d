import Logging
import NIOCore

/// Closes a connection that has not authenticated in time, has been idle too long, or has left
/// its replies unread too long (the socket stays unwritable). Sits first in the pipeline and sees
/// raw reads and writability changes; checks its deadlines on a timer of the event loop.
final class ConnectionTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limits: ServerLimits
    private let gate: ConnectionGate
    private let logger: Logger
    private var connectedAt = NIODeadline.now()
    private var lastRead = NIODeadline.now()
    private var unwritableSince: NIODeadline?
    private var timer: RepeatedTask?

    init(limits: ServerLimits, gate: ConnectionGate, logger: Logger) {
        self.limits = limits
        self.gate = gate
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
        if !authenticated && !gate.isAuthenticating && Self.expired(connectedAt, limits.authenticationTimeout, now) {
            close(context, reason: "did not authenticate in time")
        } else if let since = unwritableSince, Self.expired(since, limits.writeStallTimeout, now) {
            close(context, reason: "left its replies unread too long")
        } else if unwritableSince == nil,
                  Self.expired(lastRead, authenticated ? limits.idleTimeout : limits.unauthenticatedIdleTimeout, now) {
            close(context, reason: "idle too long")
        }
    }

    private static func expired(_ start: NIODeadline, _ seconds: Double, _ now: NIODeadline) -> Bool {
        seconds > 0 && now - start >= .nanoseconds(Int64(seconds * 1_000_000_000))
    }

    private func close(_ context: ChannelHandlerContext, reason: String) {
        timer?.cancel()
        timer = nil
        logger.info("closing connection", metadata: ["reason": "\(reason)"])
        context.close(promise: nil)
    }
}
