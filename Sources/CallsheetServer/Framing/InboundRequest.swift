import CallsheetProtocol

/// One unit of work the framing handler hands to a connection's task.
enum InboundRequest: Sendable {
    /// A request's arguments, binary-safe.
    case command([[UInt8]])
    /// Bytes that are not a request. When `closesConnection` is set, nothing follows it.
    case protocolError(ProtocolError)
    /// The server is shutting down: answer what came before, then close.
    case drain
}

/// The requests of one read burst (at most ``ServerLimits/maxBatch``), answered with one write and one flush.
typealias RequestBatch = [InboundRequest]
