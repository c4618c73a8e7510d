import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for the Google Sheets tests: one thread, one request per
/// connection, answers chosen by the path's sheet id (for a `CONNECT`, by its target).
final class LocalHTTPServer: @unchecked Sendable {
    // @unchecked Sendable: `socketDescriptor` and `port` are set once in init; the thread only
    // reads them; `log` is a Mutex.
    struct Reply: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
        /// Seconds before the reply is sent.
        var delay: Double = 0
        /// More header lines, such as `Location: ...`.
        var headers: [String] = []
        /// Without `Content-Length`: the body ends when the connection closes.
        var omitsContentLength = false
        /// Bytes of generated body (`a`s) sent after `body`, in 64 KiB writes, never held whole.
        var generatedBytes = 0
        /// Seconds between the head and the body.
        var stallAfterHead: Double = 0
        /// Seconds between single bytes of the body (0: all at once).
        var bytePause: Double = 0
    }

    /// What the server saw: request lines, and how each reply ended.
    struct Log: Sendable {
        var requestLines: [String] = []
        /// Per finished reply: the body bytes written, and whether all of them were.
        var replies: [(path: String, bodyBytesWritten: Int, complete: Bool)] = []
    }

    let port: UInt16
    private let socketDescriptor: Int32
    private let route: @Sendable (String) -> Reply
    private let log = LogBox()

    final class LogBox: Sendable {
        let state = Mutex(Log())
        func withLock<T: Sendable>(_ body: (inout Log) -> T) -> T { state.withLock { body(&$0) } }
    }

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
        let thread = Thread { [socketDescriptor, route, log] in
            while true {
                let client = accept(socketDescriptor, nil, nil)
                if client < 0 { return }
                Thread { Self.serve(client, route: route, log: log) }.start()
            }
        }
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Request lines received so far (`GET /path HTTP/1.1`, `CONNECT host:port HTTP/1.1`).
    var requestLines: [String] { log.withLock { $0.requestLines } }

    /// Requests whose target contains `text`.
    func requests(containing text: String) -> Int { requestLines.filter { $0.contains(text) }.count }

    /// The first finished reply to a path containing `text`, waiting up to `timeout` seconds for it.
    func finishedReply(containing text: String, timeout: Double) -> (bodyBytesWritten: Int, complete: Bool)? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let reply = log.withLock({ $0.replies.first { $0.path.contains(text) } }) { return (reply.bodyBytesWritten, reply.complete) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    func stop() {
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }

    private static func serve(_ client: Int32, route: @Sendable (String) -> Reply, log: LogBox) {
        defer { close(client) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.containsTerminator {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            request.append(contentsOf: buffer[0..<count])
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        log.withLock { $0.requestLines.append(line) }
        let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let reply = route(path)
        if reply.delay > 0 { Thread.sleep(forTimeInterval: reply.delay) }
        var head = "HTTP/1.1 \(reply.status) X\r\nContent-Type: \(reply.contentType)\r\n"
        if !reply.omitsContentLength { head += "Content-Length: \(reply.body.count + reply.generatedBytes)\r\n" }
        for header in reply.headers { head += header + "\r\n" }
        head += "Connection: close\r\n\r\n"
        guard send(client, Array(head.utf8)) else { return }
        if reply.stallAfterHead > 0 { Thread.sleep(forTimeInterval: reply.stallAfterHead) }
        var written = 0
        defer { log.withLock { $0.replies.append((path, written, written == reply.body.count + reply.generatedBytes)) } }
        if reply.bytePause > 0 {
            for byte in reply.body {
                guard send(client, [byte]) else { return }
                written += 1
                Thread.sleep(forTimeInterval: reply.bytePause)
            }
        } else {
            guard send(client, reply.body) else { return }
            written += reply.body.count
        }
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        while written - reply.body.count < reply.generatedBytes {
            let count = min(chunk.count, reply.generatedBytes - (written - reply.body.count))
            guard send(client, Array(chunk[0..<count])) else { return }
            written += count
        }
    }

    /// Writes all of `bytes`; false once the peer has gone (no SIGPIPE: MSG_NOSIGNAL).
    private static func send(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }
}

private extension [UInt8] {
    var containsTerminator: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 { return true }
        return false
    }
}
