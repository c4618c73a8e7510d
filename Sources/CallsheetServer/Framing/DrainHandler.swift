import NIOCore

/// Lets a graceful shutdown stop a connection reading without losing what it already read:
/// on ``DrainHandler/Event`` it passes on a final `.drain` element behind the batches already
/// decoded and from then on swallows every `read()`, so the socket is read no more.
final class DrainHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = RequestBatch
    typealias InboundOut = RequestBatch
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The user event that starts draining.
    struct Event: Sendable {}

    private var draining = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is Event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !draining else { return }
        draining = true
        context.fireChannelRead(wrapInboundOut([.drain]))
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if !draining {
            context.read()
        }
    }
}
