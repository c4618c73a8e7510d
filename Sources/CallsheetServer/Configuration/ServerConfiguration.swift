/// Where the server listens and what it tolerates.
public struct ServerConfiguration: Sendable {
    /// Address to bind. Loopback by default: listening elsewhere is the operator's explicit choice.
    public var host: String
    /// Plain-text TCP port; 0 asks the system for a free one (tests), read back from ``TCPServer/localPort``.
    public var port: Int
    /// False to serve TLS only (`callsheet serve --no-plain`).
    public var servesPlainText: Bool
    /// TLS on a port of its own, beside the plain port; nil for none.
    public var tls: TLSSettings?
    /// Optional HTTP port for Prometheus text metrics at `GET /metrics`.
    public var metricsPort: Int?
    /// Address the metrics endpoint binds: loopback unless the operator says otherwise, because
    /// it answers anyone who reaches it without authentication.
    public var metricsHost: String
    /// Organizations the metrics label one by one (the largest by contacts); the rest are summed
    /// as `organization_id="other"`, so many tenants cannot blow up the series count.
    public var metricsMaxOrganizations = 100
    public var limits: ServerLimits
    /// The Unix-domain control socket, whose connections have the data directory owner's rights
    /// (no `AUTH`); nil for none. `callsheet serve` puts it in the data directory
    /// (``StoreConfiguration/controlSocketPath``), which is private to its user (docs/PROTOCOL.md, "Security").
    public var controlSocketPath: String?

    public init(
        host: String = "127.0.0.1", port: Int = 7878, servesPlainText: Bool = true, tls: TLSSettings? = nil,
        metricsPort: Int? = nil, metricsHost: String = "127.0.0.1", limits: ServerLimits = ServerLimits(),
        controlSocketPath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.servesPlainText = servesPlainText
        self.tls = tls
        self.metricsPort = metricsPort
        self.metricsHost = metricsHost
        self.limits = limits
        self.controlSocketPath = controlSocketPath
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// TLS for `callsheet serve --tls-port`: PEM files, read at start and again on `SIGHUP`.
public struct TLSSettings: Sendable, Hashable {
    /// TLS port; 0 asks the system for a free one, read back from ``TCPServer/localTLSPort``.
    public var port: Int
    /// The server's certificate chain (PEM), leaf first.
    public var certificatePath: String
    /// The certificate's private key (PEM).
    public var keyPath: String
    /// CA certificates (PEM) that client certificates must chain to.
    public var certificateAuthorityPath: String?
    /// Refuse the handshake of a client without a certificate signed by ``certificateAuthorityPath``.
    public var requiresClientCertificate: Bool

    public init(
        port: Int = 7879, certificatePath: String, keyPath: String,
        certificateAuthorityPath: String? = nil, requiresClientCertificate: Bool = false
    ) {
        self.port = port
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.certificateAuthorityPath = certificateAuthorityPath
        self.requiresClientCertificate = requiresClientCertificate
    }
}
