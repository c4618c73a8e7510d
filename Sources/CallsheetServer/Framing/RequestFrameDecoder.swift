import CallsheetProtocol
import NIOCore

/// Cuts a connection's bytes into requests with ``RequestDecoder`` and hands them on in batches,
/// one per read burst, so the connection answers a pipeline with few writes.
///
/// Before the client authenticates, the tighter ``ServerLimits/unauthenticatedRequest`` limits
/// apply, whatever happens to a sign-in. After handing over a sign-in (`AUTH`, `HELLO`) from an
/// unauthenticated client the decoder pauses until the connection's task has checked it, so
/// requests pipelined behind a successful `AUTH` are framed with the full limits and the others
/// with the pre-login ones. It also pauses while ``ServerLimits/maxPendingRequests`` requests
/// wait for their replies. While it pauses the socket is not read (``ReadPauseHandler``), so the
/// bytes it holds are at most one read burst. The task resumes it with ``resume(_:)``.
///
/// A protocol error that loses the framing is handed on as the last element; every byte after it
/// is dropped and the task closes the connection after replying.
struct RequestFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RequestBatch

    private enum Waiting {
        /// A sign-in was handed over; the framing limits after it depend on its outcome.
        case authentication
        /// ``ServerLimits/maxPendingRequests`` requests wait for their replies.
        case answers
    }

    private var decoder: RequestDecoder
    private let limits: ServerLimits
    private let gate: ConnectionGate
    private var batch: RequestBatch = []
    private var waiting: Waiting?
    private var failed = false

    init(limits: ServerLimits, gate: ConnectionGate) {
        self.limits = limits
        self.gate = gate
        self.decoder = RequestDecoder(limits: limits.unauthenticatedRequest)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        if !mayGoOn(context) {
            return .needMoreData
        }
        let authenticated = gate.isAuthenticated
        decoder.limits = authenticated ? limits.request : limits.unauthenticatedRequest
        let decoded: DecodedRequest?
        do {
            decoded = try buffer.withUnsafeReadableBytes { bytes in
                Result { () throws(ProtocolError) -> DecodedRequest? in try decoder.decode(bytes) }
            }.get()
        } catch {
            batch.append(.protocolError(error))
            if error.closesConnection {
                failed = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return handOver(context)
            }
            buffer.moveReaderIndex(forwardBy: min(error.consumedBytes, buffer.readableBytes))
            return next(context, buffer)
        }
        guard let request = decoded else {
            return handOver(context)
        }
        buffer.moveReaderIndex(forwardBy: request.consumedBytes)
        guard !request.arguments.isEmpty else { return next(context, buffer) }
        batch.append(.command(request.arguments))
        if !authenticated && Self.isSignIn(request.arguments[0]) {
            gate.beginAuthentication()
            waiting = .authentication
            return handOver(context)
        }
        if batch.count >= limits.requestsPerBatch {
            _ = handOver(context)
        }
        return next(context, buffer)
    }

    /// Whether decoding may go on: not while a sign-in is checked, nor while the requests already
    /// handed over reach ``ServerLimits/maxPendingRequests``.
    private mutating func mayGoOn(_ context: ChannelHandlerContext) -> Bool {
        switch waiting {
        case .authentication?:
            if gate.isAuthenticating { return false }
        case .answers?:
            if gate.waitForAnswers(limit: limits.maxPendingRequests) { return false }
        case nil:
            if gate.pendingRequests + batch.count >= limits.maxPendingRequests {
                _ = handOver(context)
                if gate.waitForAnswers(limit: limits.maxPendingRequests) {
                    waiting = .answers
                    return false
                }
            }
            return true
        }
        waiting = nil
        return mayGoOn(context)
    }

    /// `ByteToMessageHandler` does not call `decode` on an empty buffer, so the burst ends here
    /// when the bytes do.
    private mutating func next(_ context: ChannelHandlerContext, _ buffer: ByteBuffer) -> DecodingState {
        buffer.readableBytes == 0 ? handOver(context) : .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        _ = handOver(context)
        return .needMoreData
    }

    /// Passes on what the burst produced; always "need more data".
    private mutating func handOver(_ context: ChannelHandlerContext) -> DecodingState {
        if !batch.isEmpty {
            gate.handedOver(batch.count)
            context.fireChannelRead(Self.wrapInboundOut(batch))
            batch = []
        }
        return .needMoreData
    }

    /// `AUTH` and `HELLO` (which may carry `AUTH`) sign a connection in.
    static func isSignIn(_ name: [UInt8]) -> Bool {
        let upper = name.map { $0 & 0xDF }
        return upper == Array("AUTH".utf8) || upper == Array("HELLO".utf8)
    }

    /// Runs the decoder again over the bytes it held back, then lets the socket be read again.
    /// The events start behind ``ConnectionTimeoutHandler`` (the handler before the decoder), so
    /// neither TLS nor the idle clock sees them.
    static func resume(_ channel: Channel) {
        channel.eventLoop.execute {
            guard let context = try? channel.pipeline.syncOperations.context(handlerType: ConnectionTimeoutHandler.self) else { return }
            context.fireChannelRead(NIOAny(ByteBuffer()))
            context.fireChannelReadComplete()
            context.fireUserInboundEventTriggered(ReadPauseHandler.Resume())
        }
    }
}
