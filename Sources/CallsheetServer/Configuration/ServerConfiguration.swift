/// Where the server listens and what it tolerates.
public struct ServerConfiguration: Sendable {
    /// Address to bind. Loopback by default: listening elsewhere is the operator's explicit choice.
    public var host: String
    /// TCP port; 0 asks the system for a free one (tests), read back from ``TCPServer/localPort``.
    public var port: Int
    /// Optional HTTP port for Prometheus text metrics at `GET /metrics`.
    public var metricsPort: Int?
    public var limits: ServerLimits

    public init(host: String = "127.0.0.1", port: Int = 7878, metricsPort: Int? = nil, limits: ServerLimits = ServerLimits()) {
        self.host = host
        self.port = port
        self.metricsPort = metricsPort
        self.limits = limits
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
