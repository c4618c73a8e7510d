import Dispatch
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the TLS certificate and key again on each `SIGHUP` (``TCPServer/reloadTLS()``), until
/// the group shuts down. A failed reload is logged and the old certificate stays in use.
struct TLSReloadService: Service {
    let server: TCPServer
    let logger: Logger

    func run() async throws {
        let (hangups, continuation) = AsyncStream.makeStream(of: Void.self)
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer {
            source.cancel()
            continuation.finish()
        }
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                do {
                    try server.reloadTLS()
                } catch {
                    logger.error("cannot reload the TLS certificate; the previous one stays in use", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
