import CallsheetProtocol

/// Bounds that keep one client from hurting the server or the others.
///
/// Every limit has a safe default; `docs/PROTOCOL.md` ("Transport, authentication and limits")
/// lists them with the error each one produces. A timeout of zero disables it.
public struct ServerLimits: Sendable, Hashable {
    /// Framing limits once a connection has authenticated.
    public var request: ProtocolLimits
    /// Framing limits before `AUTH` succeeds: few arguments, a few KiB per request (as redis
    /// allows unauthenticated clients 10 arguments and 16 KiB).
    public var unauthenticatedRequest: ProtocolLimits
    /// Connections served at once; one more gets `-ERR max number of clients reached` and is closed.
    public var maxClients: Int
    /// Seconds a connection has to authenticate, whatever it sends meanwhile.
    public var authenticationTimeout: Double
    /// Seconds without a request before an unauthenticated connection is closed.
    public var unauthenticatedIdleTimeout: Double
    /// Seconds without a request before an authenticated connection is closed.
    public var idleTimeout: Double
    /// Seconds a client may leave replies unread (the socket cannot take more) before it is closed.
    public var writeStallTimeout: Double
    /// Requests decoded and not yet answered, per connection. Past this the server stops reading
    /// from the socket until the client catches up, so a client that never reads costs bounded memory.
    public var maxPendingRequests: Int
    /// Reply bytes queued in the server for one connection before it stops taking more work
    /// from that connection (the channel's write-buffer high-water mark).
    public var maxPendingReplyBytes: Int
    /// Failed `AUTH` attempts a connection may make before it is closed.
    public var maxFailedAuthAttempts: Int
    /// Seconds each failed `AUTH` waits before its reply, to slow guessing down.
    public var failedAuthDelay: Double

    public init(
        request: ProtocolLimits = ProtocolLimits(maxInlineLength: 64 * 1024, maxBulkLength: 64 * 1024 * 1024, maxArrayCount: 1024 * 1024),
        unauthenticatedRequest: ProtocolLimits = ProtocolLimits(maxInlineLength: 4 * 1024, maxBulkLength: 4 * 1024, maxArrayCount: 10),
        maxClients: Int = 4096,
        authenticationTimeout: Double = 10,
        unauthenticatedIdleTimeout: Double = 10,
        idleTimeout: Double = 600,
        writeStallTimeout: Double = 60,
        maxPendingRequests: Int = 4096,
        maxPendingReplyBytes: Int = 1024 * 1024,
        maxFailedAuthAttempts: Int = 5,
        failedAuthDelay: Double = 0.25
    ) {
        self.request = request
        self.unauthenticatedRequest = unauthenticatedRequest
        self.maxClients = maxClients
        self.authenticationTimeout = authenticationTimeout
        self.unauthenticatedIdleTimeout = unauthenticatedIdleTimeout
        self.idleTimeout = idleTimeout
        self.writeStallTimeout = writeStallTimeout
        self.maxPendingRequests = maxPendingRequests
        self.maxPendingReplyBytes = maxPendingReplyBytes
        self.maxFailedAuthAttempts = maxFailedAuthAttempts
        self.failedAuthDelay = failedAuthDelay
    }

    /// Most requests in one batch handed from the event loop to the connection's task.
    static let maxBatch = 512

    /// Requests in one batch: at most ``maxBatch``, and small enough that a few batches fit in
    /// ``maxPendingRequests``.
    var requestsPerBatch: Int {
        max(1, min(Self.maxBatch, maxPendingRequests / 4))
    }

    /// Reply bytes gathered before they are written (and flushed) while a batch is answered:
    /// a connection holds at most about one reply plus this much.
    static let replyFlushThreshold = 1024 * 1024

    /// Most pipelined lookups answered in one visit to the organization's actor.
    static let lookupsPerVisit = 64

    /// Bytes the framing handler may hold: the largest request plus a read's worth.
    var maximumBufferedBytes: Int {
        request.maxBulkLength + request.maxInlineLength + 1024 * 1024
    }
}
