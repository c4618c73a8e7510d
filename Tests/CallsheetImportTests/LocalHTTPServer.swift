import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for the Google Sheets tests: one thread, one request per
/// connection, answers chosen by the path's sheet id.
final class LocalHTTPServer: @unchecked Sendable {
    // @unchecked Sendable: `socketDescriptor` and `port` are set once in init; the thread only reads them.
    struct Reply: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
        var delay: Double = 0
    }

    let port: UInt16
    private let socketDescriptor: Int32
    private let route: @Sendable (String) -> Reply

    init(route: @escaping @Sendable (String) -> Reply) throws {
        self.route = route
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.socketDescriptor = socketDescriptor
        var reuse: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketDescriptor, 16) == 0 else {
            close(socketDescriptor)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [socketDescriptor, route] in
            while true {
                let client = accept(socketDescriptor, nil, nil)
                if client < 0 { return }
                Thread { Self.serve(client, route: route) }.start()
            }
        }
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() {
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }

    private static func serve(_ client: Int32, route: @Sendable (String) -> Reply) {
        defer { close(client) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.containsTerminator {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            request.append(contentsOf: buffer[0..<count])
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let reply = route(path)
        if reply.delay > 0 { Thread.sleep(forTimeInterval: reply.delay) }
        let head = "HTTP/1.1 \(reply.status) X\r\nContent-Type: \(reply.contentType)\r\nContent-Length: \(reply.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + reply.body
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}

private extension [UInt8] {
    var containsTerminator: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 { return true }
        return false
    }
}
