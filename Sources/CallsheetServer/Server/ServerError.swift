import CallsheetProtocol

/// Why the server or a client could not do what it was asked. Catch by ``code``.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier for the kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case bindFailed, connectFailed, connectionClosed, protocolViolation, invalidConfiguration
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// The address or port could not be bound (in use, not permitted, not an address of this machine).
        public static let bindFailed = Code(.bindFailed)
        /// A client could not reach the server.
        public static let connectFailed = Code(.connectFailed)
        /// The server closed the connection before replying.
        public static let connectionClosed = Code(.connectionClosed)
        /// The server's bytes were not RESP2.
        public static let protocolViolation = Code(.protocolViolation)
        /// Options that contradict each other or are out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
    }

    public let code: Code
    public let message: String
    public let cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    /// What a client over ``ServerLimits/maxClients`` reads before the server closes it (redis' text).
    static let maxClientsReply = RESPValue.error(code: "ERR", message: "max number of clients reached")
}
