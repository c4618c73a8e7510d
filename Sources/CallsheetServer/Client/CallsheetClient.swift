import CallsheetProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// A client for a Callsheet server (or any RESP2 server): sends requests as RESP arrays and reads
/// the replies in order. For `callsheet repl --connect`, scripts and tests.
///
/// Requests may be pipelined: ``pipeline(_:)`` writes them all with one flush and returns the
/// replies in order; concurrent ``send(_:)`` calls are also answered in the order they were written.
public final class CallsheetClient: Sendable {
    private let channel: Channel
    private let handler: NIOLoopBound<ReplyHandler>

    private init(channel: Channel, handler: NIOLoopBound<ReplyHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects to `host:port`, over TLS when `tls` is given.
    public static func connect(
        host: String, port: Int, limits: ProtocolLimits = ProtocolLimits(), tls: ClientTLSSettings? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> CallsheetClient {
        do {
            let tlsContext = try tls.map { try $0.makeContext() }
            let channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tlsContext, serverHostname: ClientTLSSettings.serverHostname(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ReplyHandler(limits: limits))
                    }
                }
                .connect(host: host, port: port).get()
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ReplyHandler.self), eventLoop: channel.eventLoop)
            }.get()
            return CallsheetClient(channel: channel, handler: handler)
        } catch {
            throw ServerError(.connectFailed, "cannot connect to \(host):\(port): \(error)", cause: error)
        }
    }

    /// Connects to a server's control socket (`<data directory>/control.sock`): the connection
    /// has the data directory owner's rights, without `AUTH` (docs/PROTOCOL.md, "The control socket").
    public static func connect(
        unixDomainSocketPath path: String, limits: ProtocolLimits = ProtocolLimits(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> CallsheetClient {
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ReplyHandler(limits: limits))
                    }
                }
                .connect(unixDomainSocketPath: path).get()
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ReplyHandler.self), eventLoop: channel.eventLoop)
            }.get()
            return CallsheetClient(channel: channel, handler: handler)
        } catch {
            throw ServerError(.connectFailed, "cannot connect to the control socket \(path): \(error)", cause: error)
        }
    }

    /// Sends one request and waits for its reply. Errors from the server are `.error` replies, not throws.
    public func send(_ arguments: [String]) async throws -> RESPValue {
        try await pipeline([arguments])[0]
    }

    /// Sends every request with one flush, then waits for all the replies, in order.
    public func pipeline(_ requests: [[String]]) async throws -> [RESPValue] {
        var bytes: [UInt8] = []
        for request in requests {
            RESPValue.command(request).write(into: &bytes)
        }
        return try await sendRaw(bytes, expectingReplies: requests.count)
    }

    /// Writes `bytes` as they are (inline lines, RESP, anything) and waits for `count` replies.
    public func sendRaw(_ bytes: [UInt8], expectingReplies count: Int) async throws -> [RESPValue] {
        let channel = self.channel, handler = self.handler
        let promises = (0..<count).map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        // Queue the promises and write in one event-loop turn, so concurrent callers' replies
        // are matched in the order their requests went out.
        let written: EventLoopFuture<Void> = channel.eventLoop.flatSubmit {
            handler.value.expect(promises)
            guard !bytes.isEmpty else { return channel.eventLoop.makeSucceededVoidFuture() }
            return channel.writeAndFlush(ByteBuffer(bytes: bytes))
        }
        try? await written.get()  // a failed write fails the promises through the handler
        var replies: [RESPValue] = []
        replies.reserveCapacity(count)
        for promise in promises {
            replies.append(try await promise.futureResult.get())
        }
        return replies
    }

    /// Waits for `count` more replies without sending anything (replies the server sends unasked,
    /// or to bytes written earlier with `expectingReplies: 0`).
    public func readReplies(_ count: Int) async throws -> [RESPValue] {
        try await sendRaw([], expectingReplies: count)
    }

    /// True until the server or ``close()`` closes the connection.
    public var isConnected: Bool { channel.isActive }

    public func close() async {
        try? await channel.close()
    }
}
