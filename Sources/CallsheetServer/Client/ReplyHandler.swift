import CallsheetProtocol
import NIOCore

/// The client's pipeline handler: writes requests, decodes replies with ``ReplyDecoder`` and
/// completes the waiting promises first in, first out. A reply nobody waits for yet (the server's
/// "max number of clients" before closing) is kept for the next waiter.
final class ReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var decoder: ReplyDecoder
    private var received = ByteBuffer()
    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()
    private var unclaimed = CircularBuffer<RESPValue>()
    private var failure: ServerError?

    init(limits: ProtocolLimits) {
        decoder = ReplyDecoder(limits: limits)
    }

    /// Queues promises for the next replies; called on the event loop just before the request is written.
    func expect(_ promises: [EventLoopPromise<RESPValue>]) {
        for reply in promises {
            if let value = unclaimed.popFirst() {
                reply.succeed(value)
            } else if let failure {
                reply.fail(failure)
            } else {
                waiting.append(reply)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        while received.readableBytes > 0 {
            let decoded: DecodedReply?
            do {
                decoded = try received.withUnsafeReadableBytes { buffer in
                    Result { () throws(ProtocolError) -> DecodedReply? in try decoder.decode(buffer) }
                }.get()
            } catch {
                failAll(ServerError(.protocolViolation, "the server's reply is not RESP2: \(error.message)", cause: error))
                context.close(promise: nil)
                return
            }
            guard let reply = decoded else { break }
            received.moveReaderIndex(forwardBy: reply.consumedBytes)
            if let promise = waiting.popFirst() {
                promise.succeed(reply.value)
            } else {
                unclaimed.append(reply.value)
            }
        }
        received.discardReadBytes()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(ServerError(.connectionClosed, "the connection is closed"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(ServerError(.connectionClosed, "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(ServerError(.connectionClosed, "connection error: \(error)", cause: error))
        context.close(promise: nil)
    }

    private func failAll(_ error: ServerError) {
        if failure == nil { failure = error }
        while let promise = waiting.popFirst() {
            promise.fail(error)
        }
    }
}
