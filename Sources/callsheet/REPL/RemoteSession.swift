import ArgumentParser
import CallsheetCore
import CallsheetProtocol
import CallsheetServer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `callsheet repl --connect host:port --user U`: the same REPL against a running server.
/// `--connect DIR/control.sock` (a path) talks to a server's control socket instead, as the
/// data directory's owner, without AUTH.
/// Requests go out as RESP arrays; replies are read with the protocol's ``ReplyDecoder``.
enum RemoteSession {
    /// True for a `--connect` value that names a Unix-domain socket rather than `host:port`.
    static func isSocketPath(_ address: String) -> Bool { address.contains("/") || address.hasSuffix(".sock") }

    static func run(address: String, user: String?, tls: ClientTLSSettings? = nil, interactive: Bool, renderer: ReplyRenderer) async throws {
        let connection: RemoteConnection
        if Self.isSocketPath(address) {
            guard tls == nil else { throw ValidationError("--tls does not apply to a control socket (a local file)") }
            connection = try RemoteConnection(socketPath: address)
        } else {
            let parts = address.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else {
                throw ValidationError("--connect expects host:port, e.g. 127.0.0.1:7878, or the path of a server's control socket, e.g. Snapshots/control.sock")
            }
            connection = try await RemoteConnection(host: String(parts[0]), port: port, tls: tls)
        }
        if let user {
            let secret: String
            if let fromEnvironment = ProcessInfo.processInfo.environment["CALLSHEET_SECRET"] {
                secret = fromEnvironment
            } else if interactive, let typed = getpass("secret for \(user): ") {
                secret = String(cString: typed)
            } else {
                throw CommandFailure("set CALLSHEET_SECRET to sign in as \(user)")
            }
            let reply = try await connection.send(["AUTH", user, secret])
            if case .error = reply { throw CommandFailure("\(renderer.render(reply))") }
        }
        if interactive { print("Connected to \(address). HELP lists commands, QUIT leaves.") }
        try await ReplLoop(interactive: interactive, renderer: renderer).run(prompt: { "\(address)> " }) { arguments in
            if ExportDownload.handles(arguments) {
                return (try await ExportDownload.run(arguments, interactive: interactive) { try await connection.send($0) }, true)
            }
            let sent: [String]
            do {
                sent = try ExportDownload.uploadingLocalFile(arguments)
            } catch {
                return (.error(code: "BAD_REQUEST", message: "\(error)"), true)
            }
            return (try await connection.send(sent), arguments[0].uppercased() != "QUIT")
        }
    }
}

/// `callsheet repl --connect host:port --tls [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]`.
struct RemoteTLSOptions: ParsableArguments {
    @Flag(help: "Connect with TLS; the server's certificate is checked against --tls-ca (or the system's CAs) and the host name or address.")
    var tls = false

    @Option(help: ArgumentHelp("CA certificates (PEM) the server's certificate must chain to.", valueName: "file"))
    var tlsCa: String?

    @Option(help: ArgumentHelp("A client certificate (PEM), for servers run with --tls-client-auth.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM).", valueName: "file"))
    var tlsKey: String?

    func validate() throws {
        if !tls, tlsCa != nil || tlsCert != nil || tlsKey != nil {
            throw ValidationError("--tls-ca, --tls-cert and --tls-key need --tls")
        }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    /// The client's TLS settings, or nil without --tls.
    var settings: ClientTLSSettings? {
        tls ? ClientTLSSettings(certificateAuthorityPath: tlsCa, certificatePath: tlsCert, keyPath: tlsKey) : nil
    }
}

/// The REPL's connection to a server: a blocking socket, or a ``CallsheetClient`` for TLS.
final class RemoteConnection {
    private let plain: BlockingConnection?
    private let client: CallsheetClient?

    /// A server's control socket.
    init(socketPath: String) throws {
        plain = try BlockingConnection(socketPath: socketPath)
        client = nil
    }

    init(host: String, port: UInt16, tls: ClientTLSSettings?) async throws {
        if let tls {
            do {
                client = try await CallsheetClient.connect(host: host, port: Int(port), tls: tls)
            } catch let error as ServerError {
                throw CommandFailure(error.message)
            }
            plain = nil
        } else {
            plain = try BlockingConnection(host: host, port: port)
            client = nil
        }
    }

    func send(_ arguments: [String]) async throws -> RESPValue {
        if let client {
            do {
                return try await client.send(arguments)
            } catch let error as ServerError {
                throw CommandFailure(error.code == .connectionClosed ? "the server closed the connection (\(error.message))" : error.message)
            }
        }
        guard let plain else { throw CommandFailure("not connected") }
        return try plain.send(arguments)
    }
}

/// A blocking TCP connection speaking RESP, enough for one person typing.
final class BlockingConnection {
    private let socket: Int32
    private var decoder = ReplyDecoder()
    private var buffer: [UInt8] = []

    init(host: String, port: UInt16) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw CommandFailure("cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let info = candidate {
            let descriptor = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if descriptor >= 0, Glibc.connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                connected = descriptor
                break
            }
            if descriptor >= 0 { close(descriptor) }
            candidate = info.pointee.ai_next
        }
        guard connected >= 0 else { throw CommandFailure("cannot connect to \(host):\(port): \(String(cString: strerror(errno)))") }
        socket = connected
    }

    /// Connects to a Unix-domain socket (a server's control socket).
    init(socketPath: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let path = Array(socketPath.utf8)
        guard path.count < capacity else {
            throw CommandFailure("the socket path \(socketPath) is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CommandFailure("socket() failed: \(String(cString: strerror(errno)))") }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            let hint = code == ENOENT || code == ECONNREFUSED
                ? " (no server listens there: is `callsheet serve` running on that data directory?)"
                : code == EACCES ? " (only the user the server runs as may connect)" : ""
            throw CommandFailure("cannot connect to \(socketPath): \(String(cString: strerror(code)))\(hint)")
        }
        socket = descriptor
    }

    deinit { close(socket) }

    func send(_ arguments: [String]) throws -> RESPValue {
        let request = RESPValue.command(arguments).encoded
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw CommandFailure("connection lost") }
            sent += written
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if !buffer.isEmpty, let decoded = try decoder.decode(buffer) {
                buffer.removeFirst(decoded.consumedBytes)
                return decoded.value
            }
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw CommandFailure("the server closed the connection") }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
