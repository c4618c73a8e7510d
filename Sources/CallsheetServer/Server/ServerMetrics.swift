import Synchronization

/// The server's own figures (the store keeps the command counts), for the metrics endpoint and tests.
public final class ServerMetrics: Sendable {
    /// Connections open now.
    public let connections = Atomic<Int>(0)
    /// Connections accepted since start, including refused ones.
    public let connectionsAccepted = Atomic<Int>(0)
    /// Connections refused because ``ServerLimits/maxClients`` were open.
    public let connectionsRejected = Atomic<Int>(0)
    /// Failed `AUTH` attempts.
    public let authenticationFailures = Atomic<Int>(0)
    /// Requests that could not be framed or broke a limit.
    public let protocolErrors = Atomic<Int>(0)
    /// Connections closed by the server for a timeout, a limit or a protocol error.
    public let connectionsClosedByServer = Atomic<Int>(0)

    /// Counts what only the server's registry knows (requests read ahead), for ``pendingRequests``.
    private let pendingRequestsSource = Mutex<(@Sendable () -> Int)?>(nil)

    public init() {}

    /// Requests read from clients and not answered yet, over all connections.
    public var pendingRequests: Int {
        pendingRequestsSource.withLock { $0 }?() ?? 0
    }

    func countPendingRequests(with source: @escaping @Sendable () -> Int) {
        pendingRequestsSource.withLock { $0 = source }
    }

    /// Counts a new connection if fewer than `maximum` are open.
    func admitConnection(maximum: Int) -> Bool {
        connectionsAccepted.add(1, ordering: .relaxed)
        var current = connections.load(ordering: .relaxed)
        while current < maximum {
            let (exchanged, original) = connections.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        connectionsRejected.add(1, ordering: .relaxed)
        return false
    }

    func releaseConnection() {
        connections.subtract(1, ordering: .relaxed)
    }
}
