import CallsheetProtocol
import NIOCore

/// Cuts a connection's bytes into requests with ``RequestDecoder`` and hands them on in batches,
/// one per read burst, so the connection answers a pipeline with one write and one flush.
///
/// Before the client authenticates, the tighter ``ServerLimits/unauthenticatedRequest`` limits
/// apply. After handing over an `AUTH` from an unauthenticated client the decoder pauses until the
/// connection's task has checked it, so requests pipelined behind a successful `AUTH` are framed
/// with the full limits. The task resumes decoding with ``resume(_:)``.
///
/// A protocol error that loses the framing is handed on as the last element; every byte after it
/// is dropped and the task closes the connection after replying.
struct RequestFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RequestBatch

    private var decoder: RequestDecoder
    private let limits: ServerLimits
    private let gate: ConnectionGate
    private var batch: RequestBatch = []
    private var waitingForAuthentication = false
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
        if waitingForAuthentication {
            guard !gate.isAuthenticating else {
                return handOver(context)
            }
            waitingForAuthentication = false
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
        if !authenticated && Self.isAuth(request.arguments[0]) {
            gate.beginAuthentication()
            waitingForAuthentication = true
            return handOver(context)
        }
        if batch.count >= ServerLimits.maxBatch {
            context.fireChannelRead(Self.wrapInboundOut(batch))
            batch = []
        }
        return next(context, buffer)
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
            context.fireChannelRead(Self.wrapInboundOut(batch))
            batch = []
        }
        return .needMoreData
    }

    private static func isAuth(_ name: [UInt8]) -> Bool {
        name.count == 4 && name.map { $0 & 0xDF } == Array("AUTH".utf8)
    }

    /// Runs the decoder again over bytes it held back while an `AUTH` was checked.
    static func resume(_ channel: Channel) {
        channel.eventLoop.execute {
            channel.pipeline.fireChannelRead(ByteBuffer())
            channel.pipeline.fireChannelReadComplete()
        }
    }
}
