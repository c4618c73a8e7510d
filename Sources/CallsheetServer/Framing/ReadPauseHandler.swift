import NIOCore

/// Stops reading the socket while ``RequestFrameDecoder`` holds its bytes (a sign-in is being
/// checked, or too many requests wait for replies), so what a client sends meanwhile stays in
/// the kernel's buffers and TCP flow control slows the client down, instead of piling up in the
/// server. A held `read()` is passed on when the decoder resumes (``Resume``).
final class ReadPauseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = RequestBatch
    typealias InboundOut = RequestBatch
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Fired by ``RequestFrameDecoder/resume(_:)`` after the decoder ran again.
    struct Resume: Sendable {}

    private let gate: ConnectionGate
    private let maxPendingRequests: Int
    private var heldRead = false

    init(gate: ConnectionGate, maxPendingRequests: Int) {
        self.gate = gate
        self.maxPendingRequests = maxPendingRequests
    }

    func read(context: ChannelHandlerContext) {
        if gate.holdsReads(limit: maxPendingRequests) {
            heldRead = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is Resume else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if heldRead && !gate.holdsReads(limit: maxPendingRequests) {
            heldRead = false
            context.read()
        }
    }
}
