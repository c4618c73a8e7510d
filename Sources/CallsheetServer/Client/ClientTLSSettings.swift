import NIOCore
import NIOSSL

/// TLS for a ``CallsheetClient`` (`callsheet repl --connect host:port --tls`).
public struct ClientTLSSettings: Sendable, Hashable {
    /// CA certificates (PEM) the server's certificate must chain to; nil for the system's.
    public var certificateAuthorityPath: String?
    /// A client certificate (PEM) and its key, for servers that ask for one (`--tls-client-auth`).
    public var certificatePath: String?
    public var keyPath: String?

    public init(certificateAuthorityPath: String? = nil, certificatePath: String? = nil, keyPath: String? = nil) {
        self.certificateAuthorityPath = certificateAuthorityPath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// The context for connections: the server's certificate is checked against the CA, and
    /// against the host connected to (a name, or an IP address in the certificate's subject
    /// alternative names).
    func makeContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let authority = certificateAuthorityPath {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authority))
        }
        if let certificatePath {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath ?? certificatePath, format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The name sent in SNI and checked against the certificate; nil for an IP address (then the
    /// address is checked).
    static func serverHostname(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil ? nil : host
    }
}
