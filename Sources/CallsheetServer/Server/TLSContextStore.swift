import NIOSSL
import Synchronization

/// The TLS context new connections use, replaced on ``reload()`` (`SIGHUP`): connections already
/// open keep the context they started with; new ones get the new certificate.
final class TLSContextStore: Sendable {
    let settings: TLSSettings
    private let current: Mutex<NIOSSLContext>

    /// Reads the certificate, key and CA files.
    /// - Throws: ``ServerError`` (`invalidConfiguration`) naming the file settings and the reason.
    init(_ settings: TLSSettings) throws(ServerError) {
        self.settings = settings
        current = Mutex(try Self.makeContext(settings))
    }

    /// The context for a new connection.
    var context: NIOSSLContext { current.withLock { $0 } }

    /// Reads the files again. On failure the current context stays in use.
    func reload() throws(ServerError) {
        let context = try Self.makeContext(settings)
        current.withLock { $0 = context }
    }

    private static func makeContext(_ settings: TLSSettings) throws(ServerError) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(settings.certificatePath)
            guard !chain.isEmpty else {
                throw ServerError(.invalidConfiguration, "no PEM certificate in '\(settings.certificatePath)'")
            }
            let key = try NIOSSLPrivateKey(file: settings.keyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            if let authority = settings.certificateAuthorityPath {
                let roots = try NIOSSLCertificate.fromPEMFile(authority)
                guard !roots.isEmpty else {
                    throw ServerError(.invalidConfiguration, "no PEM certificate in '\(authority)'")
                }
                configuration.trustRoots = .certificates(roots)
                configuration.sendCANameList = true
                configuration.certificateVerification = settings.requiresClientCertificate ? .noHostnameVerification : .optionalVerification
            }
            return try NIOSSLContext(configuration: configuration)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(
                .invalidConfiguration,
                "cannot load TLS certificate '\(settings.certificatePath)' and key '\(settings.keyPath)'"
                    + (settings.certificateAuthorityPath.map { " (CA '\($0)')" } ?? "") + ": \(error)",
                cause: error)
        }
    }
}
